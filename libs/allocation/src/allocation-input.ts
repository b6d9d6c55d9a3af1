/** The validated input of one period's allocation (docs/money-rules.md). Amounts and weights are integers. */
export interface AllocationInput {
  readonly period: string;
  readonly policy: AllocationPolicy;
  /** Meter name → weight of one unit of that meter. */
  readonly meters: ReadonlyMap<string, bigint>;
  readonly serviceTypes: ReadonlyMap<string, ServiceType>;
  readonly subscribers: readonly Subscriber[];
  readonly usage: readonly UsageRow[];
  readonly services: readonly Service[];
  readonly projects: readonly Project[];
  readonly agreements: readonly Agreement[];
}

export interface AllocationPolicy {
  readonly generalFundBps: bigint;
  readonly maxDependencyDepth: number;
  /** A subscriber's weight for one service is at most this; `null` = no cap. */
  readonly capWeightPerService: bigint | null;
  /** Services with fewer distinct paying subscribers are dropped; `null` = no minimum. */
  readonly minSubscribersPerService: bigint | null;
}

export interface ServiceType {
  readonly providerBps: bigint;
  readonly developerBps: bigint;
}

export interface Subscriber {
  readonly id: string;
  /** uCC minted into this subscriber's period escrow. */
  readonly tokens: bigint;
}

export interface UsageRow {
  readonly subscriber: string;
  readonly service: string;
  readonly meter: string;
  readonly quantity: bigint;
}

export interface Service {
  readonly id: string;
  readonly type: string;
  readonly operator: string;
  readonly project: string | null;
  /** Overrides the service type's provider share; `null` = use the type's. */
  readonly providerBps: bigint | null;
  /** Raises the developer share above the type's default; `null` = none. */
  readonly developerBps: bigint | null;
  readonly providers: readonly WeightedParty[];
}

export interface Project {
  readonly id: string;
  readonly dependenciesBps: bigint;
  /** `id` = the dependency's project id. */
  readonly dependencies: readonly WeightedParty[];
  /** `id` = the member's account. */
  readonly members: readonly WeightedParty[];
}

/** A party sharing an amount in proportion to its weight: a provider (by resource points), a dependency, a member. */
export interface WeightedParty {
  readonly id: string;
  readonly weight: bigint;
}

export interface Agreement {
  readonly project: string;
  readonly operator: string;
  readonly developerBps: bigint;
  /** A binding agreement applies to every operator of the project's services. */
  readonly binding: boolean;
}

export const BPS_SCALE = 10_000n;

/** Bounds the level-by-level project flow, which would otherwise never end on a dependency cycle at 100%. */
export const MAX_DEPENDENCY_DEPTH_LIMIT = 1000;

export const DEFAULT_POLICY: AllocationPolicy = {
  generalFundBps: 0n,
  maxDependencyDepth: 3,
  capWeightPerService: null,
  minSubscribersPerService: null,
};
