export {
  type Agreement,
  type AllocationInput,
  type AllocationPolicy,
  BPS_SCALE,
  DEFAULT_POLICY,
  MAX_DEPENDENCY_DEPTH_LIMIT,
  type Project,
  type Service,
  type ServiceType,
  type Subscriber,
  type UsageRow,
  type WeightedParty,
} from './allocation-input.js';
export { type AllocationInputError } from './allocation-input-error.js';
export { parseAllocationInput, type AllocationInputResult } from './parse-allocation-input.js';
export { allocatePeriod } from './allocate-period.js';
export {
  type PeriodAllocation,
  type PeriodAllocationJson,
  serializeAllocation,
  toAllocationJson,
} from './allocation-output.js';
export { type AccountAllocation } from './account-totals.js';
export {
  compareKeys,
  escrowAccount,
  GENERAL_FUND,
  memberAccount,
  operatorAccount,
  providerAccount,
} from './account-key.js';
export { bpsShare, twoWaySplit, weightedSplit, type WeightedKey } from './split.js';
export {
  leafHash,
  merkleProof,
  merkleRoot,
  type MerkleProof,
  type MerkleProofStep,
  verifyMerkleProof,
} from './merkle.js';
export { toAllocationInputJson } from './allocation-input-json.js';
export { type SubscriberSplit, subscriberSplit } from './subscriber-split.js';
export { serviceStatements, type ServiceStatement } from './service-statements.js';
export { type AllocationContext, PeriodAllocator } from './allocate-period.js';
export {
  dropServices,
  ServiceSubscriberCounts,
  type ServiceWeights,
  UsageWeigher,
} from './subscriber-weights.js';
export { allocateSubscriberStream, type StreamOptions, type SubscriberUsage } from './allocate-stream.js';
export {
  type ProjectFlowTrace,
  type ProjectLevelFlow,
  type ProjectPayout,
  traceProjectFlow,
} from './project-flow.js';
export {
  accountSources,
  type PeriodTrace,
  type ServiceUsage,
  type SourceLine,
  tracePeriod,
} from './period-trace.js';
export { type SubscriberServiceTrace, type SubscriberTrace, traceSubscriber } from './subscriber-trace.js';
export {
  MAX_PASTE_CHARACTERS,
  type PastedProof,
  type PasteVerdict,
  parsePastedProof,
  type ProofStepJson,
  type ProvenRow,
  type PublishedRoot,
  rootOfProof,
  type RowVerdict,
  verifyPastedProof,
} from './merkle-webcrypto.js';
