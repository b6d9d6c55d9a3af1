import { readFileSync } from 'node:fs';
import { booleanVar, type Environment, loadConfig, readableFileVar } from '@onecommons/config';
import { type KafkaConfig, type SASLOptions } from 'kafkajs';
import { z } from 'zod';

export const KAFKA_SASL_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** How clients authenticate to the brokers and encrypt the connection. Unset: plaintext, no authentication. */
export const kafkaSecurityConfigShape = {
  KAFKA_SASL_MECHANISM: z
    .enum(KAFKA_SASL_MECHANISMS, { error: `must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}` })
    .optional()
    .meta({ description: 'How clients authenticate to the brokers. Unset: they do not.' }),
  KAFKA_SASL_USERNAME: z
    .string()
    .optional()
    .meta({ description: 'The SASL user; required with KAFKA_SASL_MECHANISM, refused without it.' }),
  KAFKA_SASL_PASSWORD: z.string().optional().meta({
    description: "The SASL user's password; required with KAFKA_SASL_MECHANISM, refused without it.",
  }),
  KAFKA_TLS: booleanVar(false).meta({ description: 'Connect to the brokers over TLS.' }),
  KAFKA_TLS_CA_FILE: readableFileVar()
    .optional()
    .meta({
      description:
        "The CA bundle (PEM) the brokers' certificates are checked against, with KAFKA_TLS. Unset: the " +
        "system's CAs.",
    }),
  KAFKA_TLS_CERT_FILE: readableFileVar()
    .optional()
    .meta({
      description:
        'A client certificate (PEM), for brokers that authenticate clients by TLS (mTLS); with KAFKA_TLS and ' +
        'KAFKA_TLS_KEY_FILE.',
    }),
  KAFKA_TLS_KEY_FILE: readableFileVar()
    .optional()
    .meta({ description: "The client certificate's key (PEM); with KAFKA_TLS_CERT_FILE." }),
};

const kafkaSecurityConfigObject = z.object(kafkaSecurityConfigShape);
type KafkaSecurityEnvironment = Readonly<z.output<typeof kafkaSecurityConfigObject>>;

export interface KafkaSecurity {
  readonly sasl?: {
    readonly mechanism: KafkaSaslMechanism;
    readonly username: string;
    readonly password: string;
  };
  /** `undefined`: plaintext. Files are read when a client is built. */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
}

export function kafkaSecurityFrom(env: KafkaSecurityEnvironment): KafkaSecurity {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  return {
    ...(mechanism === undefined
      ? {}
      : {
          sasl: {
            mechanism,
            username: env.KAFKA_SASL_USERNAME ?? '',
            password: env.KAFKA_SASL_PASSWORD ?? '',
          },
        }),
    ...(env.KAFKA_TLS
      ? {
          tls: {
            ...(env.KAFKA_TLS_CA_FILE ? { caFile: env.KAFKA_TLS_CA_FILE } : {}),
            ...(env.KAFKA_TLS_CERT_FILE ? { certFile: env.KAFKA_TLS_CERT_FILE } : {}),
            ...(env.KAFKA_TLS_KEY_FILE ? { keyFile: env.KAFKA_TLS_KEY_FILE } : {}),
          },
        }
      : {}),
  };
}

/** The combinations no single variable can refuse: credentials without a mechanism, TLS files without TLS. */
export function checkKafkaSecurityConfig(env: KafkaSecurityEnvironment, context: z.RefinementCtx): void {
  const problem = (variable: keyof KafkaSecurityEnvironment, message: string) =>
    context.addIssue({ code: 'custom', path: [variable], message });
  if (env.KAFKA_SASL_MECHANISM !== undefined) {
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (env[variable] === undefined) problem(variable, 'is required when KAFKA_SASL_MECHANISM is set');
    }
  } else {
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (env[variable] !== undefined)
        problem(variable, 'is used only with KAFKA_SASL_MECHANISM, which is not set');
    }
  }
  for (const variable of ['KAFKA_TLS_CA_FILE', 'KAFKA_TLS_CERT_FILE', 'KAFKA_TLS_KEY_FILE'] as const) {
    if (env[variable] !== undefined && !env.KAFKA_TLS) problem(variable, 'is used only with KAFKA_TLS=true');
  }
  if ((env.KAFKA_TLS_CERT_FILE === undefined) !== (env.KAFKA_TLS_KEY_FILE === undefined)) {
    const unset = env.KAFKA_TLS_CERT_FILE === undefined ? 'KAFKA_TLS_CERT_FILE' : 'KAFKA_TLS_KEY_FILE';
    problem(unset, 'a client certificate needs both KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE');
  }
}

function saslOptionsOf(sasl: NonNullable<KafkaSecurity['sasl']>): SASLOptions {
  const { username, password } = sasl;
  return sasl.mechanism === 'SCRAM-SHA-512'
    ? { mechanism: 'scram-sha-512', username, password }
    : { mechanism: 'scram-sha-256', username, password };
}

/** The `ssl` and `sasl` options of a kafkajs client; every client of the platform is built with them. */
export function kafkaClientSecurity(security: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { tls, sasl } = security;
  return {
    ...(tls === undefined
      ? {}
      : {
          ssl: {
            ...(tls.caFile ? { ca: [readFileSync(tls.caFile)] } : {}),
            ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
            ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
          },
        }),
    ...(sasl === undefined ? {} : { sasl: saslOptionsOf(sasl) }),
  };
}

const kafkaSecurityConfigSchema = kafkaSecurityConfigObject.superRefine(checkKafkaSecurityConfig);

/**
 * For tools that build a client without a service's config (`./dev`, test helpers): the same variables, read
 * from their environment. Throws a `ConfigError` naming a bad variable.
 */
export function kafkaSecurityFromEnvironment(env: Environment = process.env): KafkaSecurity {
  return kafkaSecurityFrom(loadConfig(kafkaSecurityConfigSchema, env));
}
