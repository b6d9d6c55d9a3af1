import { createDecipheriv, createPrivateKey } from 'node:crypto';
import { existsSync, openSync, readFileSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { type TestStack } from '@onecommons/testing';
import pg from 'pg';

/**
 * What the bad-input suite checks around its run: the rows of every service's schema, the service
 * processes, their logs, and the secrets of the stack that no answer or log line may contain.
 */

/** The test profile's state directory (`.local/<profile>/`), where ./dev keeps env files, pids and logs. */
const stateDirOf = (stack: TestStack) => path.dirname(stack.envDir);

/**
 * Every service process of the stack, by the name ./dev gives it: `<service>` for the first replica (its pid
 * file `service-<service>.pid`, its log `<service>.log`), `<service>-<r>` for replica r.
 */
function serviceProcesses(stack: TestStack): string[] {
  return Object.keys(stack.services).flatMap((service) =>
    Array.from({ length: stack.topology.replicas }, (_, replica) =>
      replica === 0 ? service : `${service}-${replica}`,
    ),
  );
}

/** Each service process's pid, from the pid file ./dev wrote when it started the process. */
export function servicePids(stack: TestStack): Record<string, number> {
  return Object.fromEntries(
    serviceProcesses(stack).map((name) => {
      const file = path.join(stateDirOf(stack), 'run', `service-${name}.pid`);
      return [name, (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid];
    }),
  );
}

/** Where each service process's log file ends now: the run's lines are what comes after. */
export function logOffsets(stack: TestStack): Record<string, number> {
  return Object.fromEntries(
    serviceProcesses(stack).map((name) => [name, statSync(logFileOf(stack, name)).size]),
  );
}

const logFileOf = (stack: TestStack, name: string) => path.join(stateDirOf(stack), 'logs', `${name}.log`);

/** The text each service logged since `offsets`. */
export function logsSince(
  stack: TestStack,
  offsets: Readonly<Record<string, number>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(offsets).map(([service, offset]) => {
      const file = logFileOf(stack, service);
      const length = statSync(file).size - offset;
      const buffer = Buffer.alloc(Math.max(0, length));
      const fd = openSync(file, 'r');
      try {
        readSync(fd, buffer, 0, buffer.length, offset);
      } finally {
        closeSync(fd);
      }
      return [service, buffer.toString('utf8')];
    }),
  );
}

/** A stack trace or a path of the deployment, as Node prints them. */
export const STACK_TRACE =
  /\bat (?:async )?\S*[ (](?:file:\/\/)?\/[^\s)]+:\d+:\d+|node_modules\/|\/work\/|"stack"\s*:/;

/** The stack's secrets, by name, from the environment ./dev gives the services and its secrets directory. */
export function stackSecrets(stack: TestStack): Map<string, string> {
  const secrets = new Map<string, string>();
  const add = (name: string, value: string | undefined) => {
    // Short values (ports, flags) are not secrets and would match everywhere.
    if (value && value.length >= 12) secrets.set(value, name);
  };
  for (const file of readdirSync(stack.envDir)) {
    for (const line of readFileSync(path.join(stack.envDir, file), 'utf8').split('\n')) {
      const [name = '', ...rest] = line.split('=');
      const value = rest.join('=');
      if (/KEY|SECRET|TOKEN|PASSWORD/.test(name)) add(`${file}:${name}`, value);
      if (/^[a-z]+:\/\//.test(value)) {
        const url = new URL(value);
        if (url.password) {
          add(`${file}:${name}`, value);
          add(`${file}:${name} password`, decodeURIComponent(url.password));
        }
      }
    }
  }
  const secretsDir = path.join(stateDirOf(stack), 'secrets');
  for (const file of existsSync(secretsDir) ? readdirSync(secretsDir) : [])
    add(`secrets/${file}`, readFileSync(path.join(secretsDir, file), 'utf8').trim());
  const fakeClouds = path.join(stateDirOf(stack), 'fake-clouds.json');
  if (existsSync(fakeClouds))
    add('fake clouds token', (JSON.parse(readFileSync(fakeClouds, 'utf8')) as { token: string }).token);
  return secrets;
}

/** Identity's private signing keys (sealed at rest with its key-encryption key), as PEM body and JWK `d`. */
export async function signingKeySecrets(
  admin: pg.Pool,
  keyEncryptionKey: string,
): Promise<Map<string, string>> {
  const key = Buffer.from(keyEncryptionKey, 'base64');
  const { rows } = await admin.query<{ kid: string; private_key_sealed: string }>(
    'SELECT kid, private_key_sealed FROM identity.signing_keys',
  );
  const secrets = new Map<string, string>();
  for (const { kid, private_key_sealed: sealed } of rows) {
    // The format of libs/service-kit `seal`: v1.<iv>.<tag>.<ciphertext>, the kid as associated data.
    const [, iv = '', tag = '', ciphertext = ''] = sealed.split('.');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      .setAAD(Buffer.from(kid))
      .setAuthTag(Buffer.from(tag, 'base64url'));
    const pem = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
    const body = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    secrets.set(body, `signing key ${kid} (PEM)`);
    const jwk = createPrivateKey(pem).export({ format: 'jwk' }) as { d?: string };
    if (jwk.d) secrets.set(jwk.d, `signing key ${kid} (JWK d)`);
  }
  return secrets;
}

/** The names of the secrets that occur in `text`, except `allowed` (the caller's own credential). */
export function leakedSecrets(
  text: string,
  secrets: ReadonlyMap<string, string>,
  allowed?: string,
): string[] {
  return [...secrets].filter(([value]) => value !== allowed && text.includes(value)).map(([, name]) => name);
}

/**
 * Per table of every service schema: its row count and a digest of its rows, so an update is seen as
 * well as an insert or delete. `except` names columns that legitimately change on reads, per table.
 */
export async function databaseSnapshot(
  admin: pg.Pool,
  schemas: readonly string[],
  except: Readonly<Record<string, readonly string[]>>,
): Promise<Record<string, string>> {
  const { rows: tables } = await admin.query<{ schema: string; table: string }>(
    `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables
      WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
    [schemas],
  );
  const snapshot: Record<string, string> = {};
  for (const { schema, table } of tables) {
    const name = `${schema}.${table}`;
    const { rows: columns } = await admin.query<{ column: string }>(
      `SELECT column_name AS column FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [schema, table],
    );
    const kept = columns.map(({ column }) => column).filter((column) => !except[name]?.includes(column));
    const row = `ROW(${kept.map((column) => pg.escapeIdentifier(column)).join(', ')})::text`;
    const { rows } = await admin.query<{ count: string; digest: string | null }>(
      `SELECT count(*) AS count, md5(string_agg(${row}, ',' ORDER BY ${row})) AS digest
         FROM ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`,
    );
    snapshot[name] = `${rows[0]?.count} rows, ${rows[0]?.digest ?? 'empty'}`;
  }
  return snapshot;
}

/** Each schema's last outbox id: the events committed after it are the run's. */
export async function outboxHeads(
  admin: pg.Pool,
  schemas: readonly string[],
): Promise<Record<string, number>> {
  const heads: Record<string, number> = {};
  for (const schema of schemas) {
    const { rows } = await admin.query<{ head: string | null }>(
      `SELECT max(id) AS head FROM ${pg.escapeIdentifier(schema)}.outbox`,
    );
    heads[schema] = Number(rows[0]?.head ?? 0);
  }
  return heads;
}

/** The types of the events each schema committed after `heads`. */
export async function eventsSince(
  admin: pg.Pool,
  heads: Readonly<Record<string, number>>,
): Promise<string[]> {
  const types: string[] = [];
  for (const [schema, head] of Object.entries(heads)) {
    const { rows } = await admin.query<{ event_type: string }>(
      `SELECT event_type FROM ${pg.escapeIdentifier(schema)}.outbox WHERE id > $1 ORDER BY id`,
      [head],
    );
    types.push(...rows.map((row) => `${schema}: ${row.event_type}`));
  }
  return types;
}
