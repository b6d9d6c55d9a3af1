export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');
export const BACKBONE_METRICS = Symbol('BACKBONE_METRICS');
