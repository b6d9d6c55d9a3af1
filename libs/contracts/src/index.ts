export * from './envelope/cloud-event.js';
export * from './envelope/event-contract.js';
export * from './envelope/event-catalogue.js';
export * from './envelope/topics.js';
export * from './envelope/uuid-v7.js';
export * from './catalogue.js';
export * from './identity/subscriber-registered.js';
