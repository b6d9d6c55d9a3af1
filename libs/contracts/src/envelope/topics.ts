/**
 * The topic catalogue: one topic per service domain, versioned in its name, keyed by aggregate id.
 * Each topic has a dead-letter twin `<topic>.dlq` for messages a consumer could not process.
 */
export const TOPICS = {
  identityEvents: { name: 'identity.events.v1', owner: 'identity' },
  catalogEvents: { name: 'catalog.events.v1', owner: 'catalog' },
  meteringUsage: { name: 'metering.usage.v1', owner: 'metering' },
  meteringEvents: { name: 'metering.events.v1', owner: 'metering' },
  ledgerEvents: { name: 'ledger.events.v1', owner: 'ledger' },
  payoutsEvents: { name: 'payouts.events.v1', owner: 'payouts' },
  provisionerEvents: { name: 'provisioner.events.v1', owner: 'provisioner' },
} as const;

export type TopicKey = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicKey]['name'];
export type ServiceName =
  'identity' | 'catalog' | 'metering' | 'ledger' | 'payouts' | 'provisioner' | 'webhooks';

export const SERVICE_NAMES: readonly ServiceName[] = [
  'identity',
  'catalog',
  'metering',
  'ledger',
  'payouts',
  'provisioner',
  'webhooks',
];

export const DLQ_SUFFIX = '.dlq';

export function dlqTopicOf(topic: string): string {
  return `${topic}${DLQ_SUFFIX}`;
}

export function isDlqTopic(topic: string): boolean {
  return topic.endsWith(DLQ_SUFFIX);
}

export function originalTopicOf(dlqTopic: string): string {
  return dlqTopic.slice(0, -DLQ_SUFFIX.length);
}

export function allTopicNames(): string[] {
  return Object.values(TOPICS).map((topic) => topic.name);
}

/** Every topic and its dead-letter twin: what the broker must have for the platform to run. */
export function allTopicNamesWithDlq(): string[] {
  return allTopicNames().flatMap((name) => [name, dlqTopicOf(name)]);
}

export function topicsOwnedBy(service: ServiceName): string[] {
  return Object.values(TOPICS)
    .filter((topic) => topic.owner === service)
    .map((topic) => topic.name);
}
