import { type UsageReportEvent } from '@onecommons/contracts';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../../cli-error.js';
import { monthOfTraffic } from './demo-traffic.js';
import { type DemoSeedFile } from './demo-seed.js';
import { type PlatformApi, PlatformApiError, retryAfterMs } from './platform-api.js';

const BATCH = 500;

export interface StoryOptions {
  readonly now: Date;
  /** Where the batch's ISO 20022 bank file is written. */
  readonly bankFile: string;
  readonly log: (line: string) => void;
  /** Draws the traffic's progress (a bar on a terminal). */
  readonly progress: (done: number, total: number) => void;
  readonly timeoutMs?: number;
}

interface Allocations {
  readonly total: string;
  readonly merkleRoot: string;
  readonly allocations: readonly { readonly account: string; readonly amount: string }[];
}

interface Batch {
  readonly lines: readonly { outcome: string; currency: string; payees: number; amountMinor: string }[];
  readonly payouts: readonly { state: string; currency: string; payouts: number; amountMinor: string }[];
}

export interface StoryResult {
  readonly period: string;
  readonly eventsSent: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly allocations: Allocations;
  readonly batch: Batch;
  readonly bankFile: string | null;
}

/**
 * The demo's month, through the gateway like any client: the services report their subscribers' usage, the
 * admin closes the period (early: the demo cannot wait for the month to end), and payouts pay the payees.
 * A rerun sends the same events (counted once) and finds the period closed and paid.
 */
export async function runDemoStory(
  api: PlatformApi,
  seed: DemoSeedFile,
  options: StoryOptions,
): Promise<StoryResult> {
  const { log } = options;
  const admin = seed.admin.token;
  const traffic = monthOfTraffic(
    seed.period,
    seed.subscribers.map((subscriber) => subscriber.id),
    seed.services,
    options.now,
  );
  const total = [...traffic.values()].reduce((sum, events) => sum + events.length, 0);
  log(`simulating ${seed.period}: ${total} usage events from ${seed.services.length} services`);
  let sent = 0;
  let accepted = 0;
  let duplicates = 0;
  options.progress(0, total);
  for (const service of seed.services) {
    const events = traffic.get(service.id) ?? [];
    for (let from = 0; from < events.length; from += BATCH) {
      const outcome = await sendBatch(api, service.apiKey, events.slice(from, from + BATCH));
      accepted += outcome.accepted;
      duplicates += outcome.duplicate;
      sent += Math.min(BATCH, events.length - from);
      options.progress(sent, total);
    }
  }
  log(`usage sent: ${accepted} new, ${duplicates} already counted (a rerun repeats the same events)`);

  const periodPath = `/api/ledger/v1/periods/${seed.period}`;
  const deployedServices = new Set(seed.deployments.map((deployment) => deployment.serviceId)).size;
  // The close itself waits for the usage metering acknowledged (the period's watermark); the providers' share
  // needs their resource points, which the provisioner reports every minute.
  log('waiting for the providers’ resource points to reach the ledger');
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  for (;;) {
    const state = await api.expect<{ status: string; resourcePoints?: { services: number } }>(
      'GET',
      periodPath,
      { credential: admin },
    );
    if (state.body.status === 'closed' || (state.body.resourcePoints?.services ?? 0) >= deployedServices)
      break;
    if (Date.now() > deadline)
      throw new CliError('the ledger did not receive the providers’ resource points in time');
    await sleep(500);
  }
  const closed = await closeWhenComplete(api, periodPath, admin, deadline, log);
  log(`closed ${seed.period}: ${closed.total} uCC allocated, Merkle root ${closed.merkleRoot}`);
  const allocations = await api.expect<Allocations>('GET', `${periodPath}/allocations`, {
    credential: admin,
  });

  const batchPath = `/api/payouts/v1/payout-batches/${seed.period}`;
  let batch: Batch;
  for (;;) {
    const answer = await api.request<Batch>('GET', batchPath, { credential: admin });
    if (
      answer.status === 200 &&
      !answer.body.payouts.some((row) => ['scheduled', 'submitting'].includes(row.state))
    ) {
      batch = answer.body;
      break;
    }
    if (Date.now() > deadline)
      throw new CliError(`the payout batch of ${seed.period} did not finish in time`);
    await sleep(500);
  }
  let bankFile: string | null = null;
  if (batch.payouts.some((row) => row.state === 'submitted')) {
    const file = await api.request<string>('GET', `${batchPath}/bank-file`, { credential: admin });
    if (file.status === 200 && typeof file.body === 'string') {
      writeFileSync(options.bankFile, file.body);
      bankFile = options.bankFile;
    }
  }
  return {
    period: seed.period,
    eventsSent: sent,
    accepted,
    duplicates,
    allocations: allocations.body,
    batch,
    bankFile,
  };
}

interface BatchResult {
  readonly status: 'accepted' | 'duplicate' | 'rejected';
  readonly retryable?: boolean;
}

/** How often a batch's retryable refusals are sent again (metering may not know a fresh seed's accounts yet). */
const RETRYABLE_ATTEMPTS = 30;

async function sendBatch(api: PlatformApi, apiKey: string, events: readonly UsageReportEvent[]) {
  const total = { accepted: 0, duplicate: 0 };
  let pending = events;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const answer = await api.request<{
      accepted: number;
      duplicate: number;
      rejected: number;
      results: BatchResult[];
    }>('POST', '/api/metering/v1/events', {
      credential: apiKey,
      body: pending,
      contentType: 'application/cloudevents-batch+json',
    });
    if (answer.status !== 200)
      throw new CliError(`metering refused a usage batch: ${answer.status} ${JSON.stringify(answer.body)}`);
    total.accepted += answer.body.accepted;
    total.duplicate += answer.body.duplicate;
    const refused = answer.body.results.filter((result) => result.status === 'rejected');
    if (refused.some((result) => !result.retryable) || (refused.length > 0 && attempt >= RETRYABLE_ATTEMPTS))
      throw new CliError(`metering rejected ${refused.length} demo events: ${JSON.stringify(refused)}`);
    // Retryable refusals (a subscriber or service metering has not heard of yet): send those again shortly.
    pending = pending.filter((_, index) => answer.body.results[index]?.status === 'rejected');
    if (pending.length > 0) await sleep(1_000);
  }
  return total;
}

/**
 * The admin's forced close, asked again while the ledger answers 409 usage_not_consumed (it waits for metering's
 * watermark of the period, or for the usage metering announced), as its `Retry-After` says, until the deadline.
 */
async function closeWhenComplete(
  api: PlatformApi,
  periodPath: string,
  admin: string,
  deadline: number,
  log: (message: string) => void,
): Promise<{ total: string; merkleRoot: string }> {
  for (;;) {
    const answer = await api.request<{
      total: string;
      merkleRoot: string;
      error?: { code: string; message: string };
    }>('POST', `${periodPath}/close`, { credential: admin, body: { force: true } });
    if (answer.status === 200) return answer.body;
    if (answer.status !== 409 || answer.body.error?.code !== 'usage_not_consumed' || Date.now() > deadline)
      throw new PlatformApiError('POST', `${periodPath}/close`, answer.status, answer.body);
    log(`the close waits for usage: ${answer.body.error.message}`);
    await sleep(retryAfterMs(answer.retryAfter));
  }
}
