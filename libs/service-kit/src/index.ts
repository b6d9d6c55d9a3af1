export { createServiceApp, loadConfigOrExit, migrate, serve } from './bootstrap.js';
export { checkedOption, periodOption, type ServiceCommand } from './commands/service-command.js';
export { runServiceCommand } from './commands/service-program.js';
export { replay, type ReplayCommandOptions } from './replay/replay-command.js';
export {
  replayService,
  replaySchemaName,
  type ReplayOptions,
  type ReplayReport,
} from './replay/replay-service.js';
export { ShutdownState } from './health/shutdown-state.js';
export { DomainError, type DomainErrorKind } from './errors/domain-error.js';
export { type SharedErrorCode } from './errors/shared-errors.js';
export { ApiExceptionFilter, type ErrorBody } from './http/api-exception.filter.js';
export { ZodValidationPipe } from './http/zod-validation.pipe.js';
export { INFRASTRUCTURE_ENDPOINT, InfrastructureEndpoint } from './http/infrastructure-endpoint.js';
export {
  ACCESS_TOKEN_SECURITY,
  API_KEY_SECURITY,
  ApiAccessToken,
  ApiErrors,
  ApiKeyAuth,
  errorBodySchema,
} from './openapi/api-docs.decorators.js';
export { openApiSchemaOf } from './openapi/json-schema.js';
export {
  OPENAPI_DOCUMENT_PATH,
  openApiDocumentOf,
  serveApiDocs,
  SWAGGER_UI_PATH,
} from './openapi/service-api-docs.js';
export {
  clientAddressOf,
  RateLimited,
  RateLimitGuard,
  RateLimitModule,
  type RateLimitPolicy,
} from './rate-limit/rate-limit.module.js';
export {
  PrincipalRateLimitInterceptor,
  principalKeyOf,
} from './rate-limit/principal-rate-limit.interceptor.js';
export { RedisThrottlerStorage } from './rate-limit/redis-throttler-storage.js';
export { UUID_PATTERN, UuidParamPipe } from './http/uuid-param.pipe.js';
export {
  decodeCursor,
  encodeCursor,
  type Page,
  type PageQuery,
  pageOf,
  pageQuerySchema,
} from './http/pagination.js';
export {
  MAINTENANCE_QUEUE,
  OutboxMaintenanceScheduler,
  PRUNE_OUTBOX_JOB,
} from './maintenance/outbox-maintenance.js';
export {
  PROCESSED_EVENTS_QUEUE,
  ProcessedEventsMaintenanceScheduler,
  PRUNE_PROCESSED_EVENTS_JOB,
} from './maintenance/processed-events-maintenance.js';
export { redisOptionsFrom } from './redis-options.js';
export {
  baseServiceConfigSchema,
  defineServiceConfig,
  serviceConfigShape,
  type ServiceConfig,
} from './service-config.js';
export {
  defineService,
  rootModuleOf,
  type ProjectionTable,
  type ServiceDefinition,
} from './service-definition.js';
export { ServiceKitModule, type ServiceKitOptions } from './service-kit.module.js';
export { RunMode, type RunModeName } from './run-mode.js';
export { REDIS_CLIENT, REDIS_KEY_PREFIX, SERVICE_CONFIG } from './tokens.js';
export { seal, unseal } from './security/sealing.js';
export { AfterCommit } from './persistence/after-commit.js';
export { PeriodicTask } from './jobs/periodic-task.js';
export { JobSchedules, type JobSchedule } from './jobs/job-schedules.js';
export { ServiceLeader, type Leadership } from './leadership/service-leader.js';
export { LostJobSweeper, type RowJobQueue } from './jobs/lost-job-sweeper.js';
export { bullmqPrefixOf, bullmqPrefixVar } from './jobs/bullmq-prefix.js';
export { hashTagOf, keySlotOf } from './jobs/redis-cluster-slot.js';
export { escapeHtml, Html, html, type Interpolated } from './http/html.js';
