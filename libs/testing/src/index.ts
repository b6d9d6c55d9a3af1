export { eventually } from './eventually.js';
export {
  envFileOf,
  prepareService,
  startService,
  TEST_INTERNAL_API_TOKEN,
  type RunningService,
  type StartOptions,
} from './service-harness.js';
export { serviceOf, TEST_STACK_VARIABLE, testStack, uniqueSuffix, type TestStack } from './test-stack.js';
export {
  consumerCaughtUp,
  emptyPlatformTopics,
  RawProducer,
  TopicProbe,
  type ObservedMessage,
} from './kafka-probe.js';
export { startServiceProcess, type ServiceProcess } from './service-process.js';
export { jsonRequest } from './json-request.js';
export {
  linkIn,
  linkToken,
  type LocalMailInbox,
  MailInbox,
  type ReceivedMail,
  startMailInbox,
} from './mail-inbox.js';
export { lastJsonLine, reconcilePayouts, runCommons } from './commons-cli.js';
export { MeteringStandIn } from './metering-stand-in.js';
export { schemaQuery } from './schema-query.js';
export { PrivateRedis } from './private-redis.js';
export { hasKeepaliveTimer } from './socket-keepalive.js';
