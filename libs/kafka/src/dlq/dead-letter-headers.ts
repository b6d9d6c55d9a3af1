/** Headers a dead-lettered message carries beside its original ones. */
export const DLQ_HEADERS = {
  originalTopic: 'oc-dlq-original-topic',
  originalPartition: 'oc-dlq-original-partition',
  originalOffset: 'oc-dlq-original-offset',
  consumerGroup: 'oc-dlq-consumer-group',
  reason: 'oc-dlq-reason',
  error: 'oc-dlq-error',
  attempts: 'oc-dlq-attempts',
  failedAt: 'oc-dlq-failed-at',
  /** On a marker message: the DLQ offset of a message that was redriven (so `dlq list` hides it). */
  redrivenOffset: 'oc-dlq-redriven-offset',
} as const;

export function isDlqHeader(name: string): boolean {
  return name.startsWith('oc-dlq-');
}
