// The bench drives the ledger's own period close; a tool may not depend on a service otherwise.
/* eslint-disable onecommons/module-boundaries */
import { chainHash, GENESIS_HASH } from '@onecommons/ledger/dist/src/journal/hash-chain.js';
/* eslint-enable onecommons/module-boundaries */
import { type DataSource } from 'typeorm';
import {
  BENCH_SUBSCRIBER_SQL,
  benchSubscriberId,
  bulkMint,
  md5Uuid,
  subscriberTokens,
  TOKEN_UNIT,
  UCC_PER_CC,
} from './close-fixtures.js';
import { SeededRandom } from './seeded-random.js';

/**
 * Fills a fresh ledger schema's projections and journal for one period with fast bulk SQL (setup, not
 * measured): a catalog (300 services of 3 types over 60 operators, 40 projects with contracts, members and
 * a dependency DAG, agreements, provider points), `subscribers` subscribers with tokens minted into their
 * escrows (bulk mints of 1,000 payments each, hash-chained like any journal transaction), and 10 usage rows
 * per subscriber over distinct (service, meter) pairs, skewed towards popular services.
 */

export const CATALOG = { services: 300, projects: 40, operators: 60, providers: 8 } as const;
export const ROWS_PER_SUBSCRIBER = 10;
const METERS: readonly [string, string][] = [
  ['active_seconds', '1'],
  ['requests', '0'],
  ['storage_mb_hours', '2'],
];
const TYPES: readonly [string, number, number][] = [
  ['web-app', 3000, 2000],
  ['database', 4000, 1500],
  ['storage', 6000, 1000],
];
const MINT_BATCH = 1_000;
const INSERT_SUBSCRIBERS = 50_000;

const uuid = (label: string) => md5Uuid(`bench-close-${label}`);

async function populateCatalog(db: DataSource, period: string): Promise<string[]> {
  const random = new SeededRandom(20_261_125);
  const serviceIds = Array.from({ length: CATALOG.services }, (_, index) => uuid(`service-${index}`));
  const projectIds = Array.from({ length: CATALOG.projects }, (_, index) => uuid(`project-${index}`));
  const operator = () => uuid(`operator-${random.integer(0, CATALOG.operators - 1)}`);
  await db.query(`INSERT INTO meters (name, weight) SELECT * FROM unnest($1::text[], $2::numeric[])`, [
    METERS.map(([name]) => name),
    METERS.map(([, weight]) => weight),
  ]);
  await db.query(
    `INSERT INTO service_types (name, provider_bps, developer_bps)
     SELECT * FROM unnest($1::text[], $2::int[], $3::int[])`,
    [TYPES.map(([name]) => name), TYPES.map(([, provider]) => provider), TYPES.map(([, , dev]) => dev)],
  );
  await db.query(
    `INSERT INTO projects (project_id, organization_id, name)
     SELECT id, $2::uuid, 'bench ' || id FROM unnest($1::uuid[]) AS id`,
    [projectIds, uuid('organization')],
  );
  const services = serviceIds.map((id) => ({
    id,
    type: random.pick(TYPES)[0],
    operator: operator(),
    project: random.chance(0.1) ? null : random.pick(projectIds),
    developerBps: random.chance(0.1) ? random.integer(0, 4000) : null,
  }));
  await db.query(
    `INSERT INTO services (service_id, operator_id, app_id, project_id, type, provider_bps, developer_bps, status)
     SELECT s, o, s, p, t, NULL, d, 'running' FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::int[])
       AS u(s, o, p, t, d)`,
    [
      services.map((service) => service.id),
      services.map((service) => service.operator),
      services.map((service) => service.project),
      services.map((service) => service.type),
      services.map((service) => service.developerBps),
    ],
  );
  const points = services.flatMap((service) =>
    Array.from({ length: random.integer(0, 3) }, (_, index) => ({
      service: service.id,
      provider: uuid(`provider-${(index * 3 + random.integer(0, 2)) % CATALOG.providers}`),
      points: String(random.integer(0, 1000)),
    })),
  );
  await db.query(
    `INSERT INTO provider_resource_points (period, service_id, provider_id, points)
     SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::numeric[]) ON CONFLICT DO NOTHING`,
    [
      period,
      points.map((point) => point.service),
      points.map((point) => point.provider),
      points.map((point) => point.points),
    ],
  );
  for (const [index, project] of projectIds.entries()) {
    await db.query(
      `INSERT INTO contract_versions (project_id, version, effective_from, dependencies_bps)
       VALUES ($1, 1, '2026-01', $2)`,
      [project, random.integer(0, 3000)],
    );
    const members = random.chance(0.15) ? 0 : random.integer(1, 5);
    for (let member = 0; member < members; member++) {
      await db.query(
        `INSERT INTO contract_members (project_id, version, account_id, weight) VALUES ($1, 1, $2, $3)`,
        [project, uuid(`${project}-member-${member}`), random.integer(1, 5)],
      );
    }
    // Dependencies point only to later projects: a DAG several levels deep.
    const later = projectIds.slice(index + 1);
    const dependencies = new Set<string>();
    const wanted = Math.min(random.integer(0, 4), later.length);
    while (dependencies.size < wanted) dependencies.add(random.pick(later));
    for (const dependency of dependencies) {
      await db.query(
        `INSERT INTO project_dependencies (project_id, dependency_id, weight) VALUES ($1, $2, $3)`,
        [project, dependency, random.integer(1, 10)],
      );
    }
  }
  for (let agreement = 0; agreement < CATALOG.projects / 2; agreement++) {
    await db.query(
      `INSERT INTO agreements (agreement_id, project_id, operator_id, developer_bps, binding)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        uuid(`agreement-${agreement}`),
        random.pick(projectIds),
        operator(),
        random.integer(1000, 3000),
        random.chance(0.2),
      ],
    );
  }
  // The terms in force hold since always, as the catalog projection records a service's and agreement's first.
  await db.query(`INSERT INTO service_terms (service_id, effective_from, provider_bps, developer_bps)
                  SELECT service_id, '0000-01', provider_bps, developer_bps FROM services`);
  await db.query(`INSERT INTO agreement_terms (agreement_id, effective_from, developer_bps, binding)
                  SELECT agreement_id, '0000-01', developer_bps, binding FROM agreements`);
  return serviceIds;
}

/** Bulk mints, chained from genesis, plus the balances and `subscriber_tokens` they imply. */
async function populateMints(db: DataSource, period: string, subscribers: number, currency: string) {
  let previousHash = GENESIS_HASH;
  let seq = 0n;
  let totalTokens = 0n;
  for (let first = 1; first <= subscribers; first += INSERT_SUBSCRIBERS) {
    const last = Math.min(subscribers, first + INSERT_SUBSCRIBERS - 1);
    const transactions: { key: string; seq: string; memo: string; prev: string; hash: string }[] = [];
    const entries = { keys: [] as string[], lines: [] as number[], accounts: [] as string[] };
    const units: string[] = [];
    const amounts: string[] = [];
    const escrows = { accounts: [] as string[], amounts: [] as string[] };
    const tokenRows = { ids: [] as string[], tokens: [] as string[] };
    for (let batchFirst = first; batchFirst <= last; batchFirst += MINT_BATCH) {
      const batch = Array.from({ length: Math.min(MINT_BATCH, last - batchFirst + 1) }, (_, offset) => ({
        id: benchSubscriberId(batchFirst + offset),
        tokens: subscriberTokens(batchFirst + offset),
      }));
      const mint = bulkMint((batchFirst - 1) / MINT_BATCH, batch, period, currency);
      seq += 1n;
      const lined = mint.postings.map((posting, index) => ({ ...posting, line: index + 1 }));
      const hash = chainHash(previousHash, { ...mint, seq, entries: lined });
      transactions.push({
        key: mint.key,
        seq: seq.toString(),
        memo: JSON.stringify(mint.memo),
        prev: previousHash,
        hash,
      });
      previousHash = hash;
      for (const entry of lined) {
        entries.keys.push(mint.key);
        entries.lines.push(entry.line);
        entries.accounts.push(entry.account);
        units.push(entry.unit);
        amounts.push(entry.amount.toString());
      }
      for (const subscriber of batch) {
        escrows.accounts.push(`subscriber:${subscriber.id}:${period}`);
        escrows.amounts.push(subscriber.tokens.toString());
        tokenRows.ids.push(subscriber.id);
        tokenRows.tokens.push(subscriber.tokens.toString());
        totalTokens += subscriber.tokens;
      }
    }
    await db.query(
      `INSERT INTO ledger_transactions (key, seq, kind, period, memo, prev_hash, hash)
       SELECT k, s, 'mint', $1, m, p, h FROM unnest($2::text[], $3::bigint[], $4::jsonb[], $5::text[], $6::text[])
         AS t(k, s, m, p, h)`,
      [
        period,
        transactions.map((row) => row.key),
        transactions.map((row) => row.seq),
        transactions.map((row) => row.memo),
        transactions.map((row) => row.prev),
        transactions.map((row) => row.hash),
      ],
    );
    await db.query(
      `INSERT INTO ledger_entries (transaction_key, line, account, unit, amount)
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::numeric[])`,
      [entries.keys, entries.lines, entries.accounts, units, amounts],
    );
    await db.query(
      `INSERT INTO ledger_balances (account, unit, balance)
       SELECT a, '${TOKEN_UNIT}', b FROM unnest($1::text[], $2::numeric[]) AS t(a, b)`,
      [escrows.accounts, escrows.amounts],
    );
    await db.query(
      `INSERT INTO subscriber_tokens (period, subscriber_id, tokens)
       SELECT $1, * FROM unnest($2::uuid[], $3::numeric[])`,
      [period, tokenRows.ids, tokenRows.tokens],
    );
    await db.query(
      `INSERT INTO subscribers (subscriber_id, registered_at)
       SELECT id, '2026-01-01T00:00:00Z' FROM unnest($1::uuid[]) AS id`,
      [tokenRows.ids],
    );
  }
  const paid = (totalTokens / UCC_PER_CC).toString();
  await db.query(
    `INSERT INTO ledger_balances (account, unit, balance) VALUES
       ('payments:received', $1, -$2::numeric), ('treasury:reserve', $1, $2::numeric), ('treasury:issued', $3, $4)`,
    [currency, paid, TOKEN_UNIT, (-totalTokens).toString()],
  );
  await db.query(
    `INSERT INTO period_prices (period, num, den, policy, basis_reserve, basis_outstanding, fixed_by)
     VALUES ($1, 1, 1, 'reserve-per-outstanding', 0, 0, $2)`,
    [period, `bench-mint:${period}:0`],
  );
}

/**
 * 10 distinct (service, meter) rows per subscriber, generated by Postgres from the same ids. The primary key is
 * built once after the rows (sorted) rather than row by row on random uuids, which at 5M subscribers took most of
 * the setup.
 */
async function populateUsage(db: DataSource, period: string, subscribers: number, serviceIds: string[]) {
  await db.query('ALTER TABLE usage_quantities DROP CONSTRAINT usage_quantities_pkey');
  for (let first = 1; first <= subscribers; first += INSERT_SUBSCRIBERS * 2) {
    const last = Math.min(subscribers, first + INSERT_SUBSCRIBERS * 2 - 1);
    // A subscriber's base service is skewed towards popular ones (r²); its 10 rows step by 29, coprime with
    // 300, so the services are distinct.
    await db.query(
      `WITH s(n, service_id) AS (SELECT n - 1, id FROM unnest($4::uuid[]) WITH ORDINALITY AS t(id, n)),
            m(n, name) AS (SELECT n - 1, name FROM unnest($5::text[]) WITH ORDINALITY AS t(name, n))
       INSERT INTO usage_quantities (period, subscriber_id, service_id, meter, quantity)
       SELECT $1, ${BENCH_SUBSCRIBER_SQL('i')}, s.service_id, m.name,
              1 + abs(hashint8(i::bigint * 16 + j)) % 100000
         FROM generate_series($2::int, $3::int) AS i
        CROSS JOIN generate_series(0, ${ROWS_PER_SUBSCRIBER - 1}) AS j
         JOIN s ON s.n = (floor(((abs(hashint4(i)) % 1000) / 1000.0) ^ 2 * ${serviceIds.length})::int + j * 29)
                         % ${serviceIds.length}
         JOIN m ON m.n = abs(hashint8(i::bigint * 16 + j + 7)) % ${METERS.length}`,
      [period, first, last, serviceIds, METERS.map(([name]) => name)],
    );
  }
  await db.query('ALTER TABLE usage_quantities ADD PRIMARY KEY (period, subscriber_id, service_id, meter)');
}

export async function populateLedger(
  db: DataSource,
  { period, subscribers, currency }: { period: string; subscribers: number; currency: string },
  log: (message: string) => void,
): Promise<void> {
  // The period's own input partitions, as the ledger makes them ahead of the period.
  await db.query(`SELECT ensure_input_partitions(ARRAY[$1])`, [period]);
  const serviceIds = await populateCatalog(db, period);
  log('catalog written; minting');
  await populateMints(db, period, subscribers, currency);
  log('escrows minted; writing usage');
  await populateUsage(db, period, subscribers, serviceIds);
  // As if metering had announced one UsageRecorded per subscriber (its 10 rows) and sealed the period: the
  // close finds its usage complete.
  await db.query(`INSERT INTO usage_applied_counts (period, kafka_partition, applied) VALUES ($1, 0, $2)`, [
    period,
    subscribers,
  ]);
  await db.query(
    `INSERT INTO usage_watermarks (period, announcements, reason, sealed_at) VALUES ($1, $2, 'close_requested', now())`,
    [period, subscribers],
  );
  await db.query('ANALYZE');
}
