export {
  createServiceApp,
  loadConfigOrExit,
  migrate,
  replay,
  runServiceCommand,
  serve,
} from './bootstrap.js';
export {
  parseReplayArguments,
  parseReplayStart,
  ReplayArgumentError,
  type ReplayArguments,
} from './replay/replay-arguments.js';
export {
  replayService,
  replaySchemaName,
  type ReplayOptions,
  type ReplayReport,
} from './replay/replay-service.js';
export { ShutdownState } from './health/shutdown-state.js';
export { ApiError } from './http/api-error.js';
export { ApiExceptionFilter, type ErrorBody } from './http/api-exception.filter.js';
export { ZodValidationPipe } from './http/zod-validation.pipe.js';
export {
  MAINTENANCE_QUEUE,
  OutboxMaintenanceScheduler,
  PRUNE_OUTBOX_JOB,
} from './maintenance/outbox-maintenance.js';
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
export { ServiceKitModule, type RunMode, type ServiceKitOptions } from './service-kit.module.js';
export { REDIS_CLIENT, SERVICE_CONFIG } from './tokens.js';
