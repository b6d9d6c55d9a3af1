export { ConfigError, type ConfigProblem } from './config-error.js';
export { loadConfig, type Environment } from './load-config.js';
export {
  booleanVar,
  encryptionKeyVar,
  enumVar,
  hostPortListVar,
  identifierVar,
  integerVar,
  originVar,
  portVar,
  readableFileVar,
  urlVar,
} from './env-fields.js';
