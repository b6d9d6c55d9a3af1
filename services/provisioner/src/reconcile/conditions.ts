/** Kubernetes-style status conditions: what is true of a deployment, why, and since when. */
export type ConditionType = 'Ready' | 'Synced';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly type: ConditionType;
  readonly status: ConditionStatus;
  /** A CamelCase word a program can act on. */
  readonly reason: string;
  readonly message: string;
  /** When `status` last changed (not when the reason or message did). */
  readonly lastTransitionTime: string;
}

export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

const ORDER: readonly ConditionType[] = ['Ready', 'Synced'];

/** The conditions of a new deployment: nothing is known yet. */
export function initialConditions(now: Date): Condition[] {
  return ORDER.map((type) => ({
    type,
    status: 'Unknown',
    reason: 'Pending',
    message: 'Not reconciled yet.',
    lastTransitionTime: now.toISOString(),
  }));
}

/** Applies updates; a condition's transition time moves only when its status changes. */
export function withConditions(
  current: readonly Condition[],
  updates: readonly ConditionUpdate[],
  now: Date,
): Condition[] {
  const byType = new Map(current.map((condition) => [condition.type, condition]));
  for (const update of updates) {
    const previous = byType.get(update.type);
    byType.set(update.type, {
      ...update,
      lastTransitionTime:
        previous && previous.status === update.status ? previous.lastTransitionTime : now.toISOString(),
    });
  }
  return ORDER.flatMap((type) => {
    const condition = byType.get(type);
    return condition ? [condition] : [];
  });
}

export const conditionOf = (conditions: readonly Condition[], type: ConditionType) =>
  conditions.find((condition) => condition.type === type);
