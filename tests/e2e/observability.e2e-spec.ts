import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { periodOf, periodStart, TOPICS } from '@onecommons/contracts';
import { eventually, RawProducer, testStack } from '@onecommons/testing';
import { repoRoot, seedDemo } from './commons-cli.js';
import { call, closePeriod, newAccount, newOrganization, PASSWORD, platformAdmin } from './gateway-client.js';
import { PrometheusServer, prometheusConfig, promtool, type QueryResult } from './prometheus-server.js';
import { suiteFetch } from './suite-address.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

// Prometheus (Debian's package) scrapes every running service while the test drives traffic through the
// gateway; then every alert rule in deploy/prometheus/rules and every dashboard query in
// deploy/grafana/dashboards is evaluated by it: each must parse, and each dashboard panel must show data.

const stack = testStack();
const rulesDir = path.join(repoRoot, 'deploy/prometheus/rules');
const dashboardsDir = path.join(repoRoot, 'deploy/grafana/dashboards');
const ruleFiles = readdirSync(rulesDir)
  .filter((name) => name.endsWith('.yml'))
  .map((name) => path.join(rulesDir, name));
const ruleTestsDir = path.join(repoRoot, 'deploy/prometheus/tests');
const ruleTestFiles = readdirSync(ruleTestsDir)
  .filter((name) => name.endsWith('.test.yml'))
  .map((name) => path.join(ruleTestsDir, name));

interface PanelTarget {
  readonly expr?: string;
  readonly refId?: string;
}
interface Panel {
  readonly title: string;
  readonly type: string;
  readonly targets?: readonly PanelTarget[];
  readonly panels?: readonly Panel[];
}
interface Dashboard {
  readonly uid: string;
  readonly panels: readonly Panel[];
  readonly templating?: { readonly list: readonly { readonly name: string; readonly allValue?: string }[] };
}

const dashboards = readdirSync(dashboardsDir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({
    file: name,
    dashboard: JSON.parse(readFileSync(path.join(dashboardsDir, name), 'utf8')) as Dashboard,
  }));

/** What Grafana would send with every variable on "All": its allValue, else any value. */
function grafanaExpr(expr: string, dashboard: Dashboard): string {
  let resolved = expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '5m');
  for (const variable of dashboard.templating?.list ?? []) {
    const value = variable.allValue ?? '.+';
    resolved = resolved
      .replaceAll(`\${${variable.name}}`, value)
      .replaceAll(`[[${variable.name}]]`, value)
      .replace(new RegExp(`\\$${variable.name}\\b`, 'g'), value);
  }
  return resolved;
}

function panelsOf(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...panelsOf(panel.panels ?? [])]);
}

/**
 * Metrics that alert rules name before their service exposes them: the contract of services still being
 * built (ledger, provisioner). Any other metric a rule or panel names must be declared by a service.
 */
const PENDING_METRICS: string[] = [];

const seriesOf = (result: QueryResult) => result.data?.result.length ?? 0;

let prometheus: PrometheusServer;
const seedDir = mkdtempSync(path.join(tmpdir(), 'observability-seed-'));
/** A partner's webhook receiver: counts the deliveries it answers 204; deletes its endpoint after the suite. */
let receiver: WebhookReceiver | undefined;

beforeAll(async () => {
  // Each replica on its own: through a balancer, one series would mix the counters of several processes.
  const targets = Object.entries(stack.services).flatMap(([service, { replicaUrls }]) =>
    replicaUrls.map((url) => ({ service, address: new URL(url).host })),
  );
  prometheus = await PrometheusServer.start(prometheusConfig(targets, ruleFiles));
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver?.stop();
  await prometheus?.stop();
  rmSync(seedDir, { recursive: true, force: true });
});

/** Each dashboard panel whose queries fail or give no series, as `file "title": why`. */
async function panelsWithoutData(): Promise<string[]> {
  const empty: string[] = [];
  for (const { file, dashboard } of dashboards)
    for (const panel of panelsOf(dashboard.panels)) {
      if (panel.type === 'row') continue;
      const exprs = (panel.targets ?? []).flatMap((target) => (target.expr ? [target.expr] : []));
      if (exprs.length === 0) empty.push(`${file} "${panel.title}": no query`);
      let series = 0;
      for (const expr of exprs) {
        const result = await prometheus.query(grafanaExpr(expr, dashboard));
        if (result.status !== 'success') empty.push(`${file} "${panel.title}": ${result.error ?? 'error'}`);
        series += seriesOf(result);
      }
      if (series === 0) empty.push(`${file} "${panel.title}": no data`);
    }
  return empty;
}

/**
 * Demo cast (paid subscribers, services deployed on the fake clouds), logins (good and bad), usage events of
 * every outcome, a period close, a webhook delivered, and one poison Kafka message.
 */
async function driveTraffic(): Promise<void> {
  const admin = await platformAdmin();
  const out = path.join(seedDir, 'seed.json');
  const seed = await seedDemo<{
    subscribers: { id: string }[];
    services: { id: string; apiKey: string }[];
  }>(out, { email: admin.email, password: PASSWORD });

  const refused = await call('POST', '/api/identity/v1/sessions', {
    body: { email: admin.email, password: 'not the password' },
  });
  expect(refused.status).toBe(401);

  const [service] = seed.services;
  const [subscriber] = seed.subscribers;
  if (!service || !subscriber) throw new Error('the demo seed made no service or subscriber');
  const usage = (id: string, meter: string) => ({
    specversion: '1.0',
    id,
    source: 'observability-test',
    type: 'onecommons.usage.v1',
    subject: subscriber.id,
    time: new Date().toISOString(),
    data: { service: service.id, meter, quantity: 3 },
  });
  const send = async (events: readonly unknown[]) => {
    const response = await suiteFetch(`${stack.gatewayUrl}/api/metering/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${service.apiKey}`,
        'content-type': 'application/cloudevents-batch+json',
      },
      body: JSON.stringify(events),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { accepted: number; duplicate: number; rejected: number };
  };
  const first = usage(randomUUID(), 'requests');
  await send([first, usage(randomUUID(), 'no_such_meter'), usage(randomUUID(), 'requests')]);
  expect(await send([first])).toMatchObject({ accepted: 0, duplicate: 1, rejected: 0 });

  // The previous month (no tokens of this stack's, so no later test sees a difference): a close recorded.
  const previous = periodOf(new Date(periodStart(periodOf(new Date())).getTime() - 1));
  const closed = await closePeriod(admin.token, previous);
  expect(closed).toMatchObject({ status: 200, body: { period: previous, status: 'closed' } });

  // A partner organization's endpoint receives catalog's app.registered.
  const partner = await newAccount('observability-partner');
  const organization = await newOrganization(partner, 'developer');
  const key = await call<{ key: string }>('POST', `/api/identity/v1/organizations/${organization}/api-keys`, {
    credential: partner.token,
    body: { name: 'webhooks', scopes: ['webhooks:manage'] },
  });
  expect(key.status).toBe(201);
  const endpoint = await receiver!.register(key.body.key, ['onecommons.catalog.app.registered.v1']);
  expect(endpoint.status).toBe(201);
  const app = await call<{ id: string }>('POST', `/api/catalog/v1/organizations/${organization}/apps`, {
    credential: partner.token,
    body: {
      name: `Observed ${randomUUID()}`,
      repositoryUrl: 'https://codeberg.org/wiki/wiki',
      license: 'MIT',
    },
  });
  expect(app.status).toBe(201);
  await eventually('the partner receives the app.registered webhook', async () =>
    receiver!.received.some(({ body }) => body.includes(app.body.id)) ? true : undefined,
  );

  // Undecodable: every consumer of the topic dead-letters it at once.
  const producer = await RawProducer.connect();
  try {
    await producer.send(TOPICS.identityEvents.name, randomUUID(), 'not a CloudEvent');
  } finally {
    await producer.stop();
  }
}

describe('observability', () => {
  it('has alert rules that promtool accepts', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    const report = promtool(['check', 'rules', ...ruleFiles]);
    expect(report).not.toContain('FAILED');
  });

  it('has alert rules that fire as their promtool unit tests say (deploy/prometheus/tests)', () => {
    expect(ruleTestFiles.length).toBeGreaterThan(0);
    // promtool exits non-zero on a failed test, which `promtool()` turns into a thrown error with the report.
    expect(promtool(['test', 'rules', ...ruleTestFiles])).toContain('SUCCESS');
  });

  it('has a Prometheus config for the compose stack that promtool accepts', () => {
    expect(
      promtool(['check', 'config', '--syntax-only', path.join(repoRoot, 'deploy/prometheus/prometheus.yml')]),
    ).toContain('SUCCESS');
  });

  it('evaluates every rule and every dashboard panel after some traffic', async () => {
    await driveTraffic();
    // Scraped after the traffic: the counters of every outcome exist, with samples for rate() windows.
    await eventually(
      'Prometheus to scrape the traffic',
      async () => {
        const up = await prometheus.query('count(up{job="onecommons"} == 1)');
        const [sample] = (up.data?.result ?? []) as { value: [number, string] }[];
        if (Number(sample?.value[1]) !== Object.keys(stack.services).length * stack.topology.replicas)
          return undefined;
        const needed = [
          'onecommons_metering_events_total{outcome="duplicate"}',
          'onecommons_metering_events_total{outcome="rejected"}',
          'onecommons_dlq_messages_total',
          'onecommons_identity_logins_total{outcome="invalid_credentials"}',
          'onecommons_identity_payment_provider_events_total{type="invoice.paid", outcome="applied"}',
          'onecommons_ledger_period_closes_total',
          'onecommons_webhook_deliveries_total{outcome="succeeded"}',
          'onecommons_provider_api_calls_total',
        ];
        const results = await Promise.all(
          needed.map((selector) => prometheus.query(`count_over_time(${selector}[1m]) >= 3`)),
        );
        return results.every((result) => seriesOf(result) > 0) ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    // The poison message is the first dead letter of its series, which every consumer exposed at 0 from boot: so
    // increase(), and the OneCommonsDeadLetters alert with it, sees it (a series born at 1 shows no increase).
    await eventually(
      'increase() to see the first dead letters',
      async () => {
        const result = await prometheus.query(
          `sum by (service) (increase(onecommons_dlq_messages_total{topic="${TOPICS.identityEvents.name}", reason="invalid_json"}[5m])) > 0`,
        );
        return seriesOf(result) > 0 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    // rate() needs two samples of a series: one born by the last requests (the partner's endpoint) has them a
    // scrape later. Panels are asked again until each has data or 30 s have passed.
    let empty = await panelsWithoutData();
    for (const deadline = Date.now() + 30_000; empty.length > 0 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      empty = await panelsWithoutData();
    }
    expect(empty).toEqual([]);

    // The seeded money flow: tokens minted against a reserve that backs them; services deployed; a webhook sent.
    const value = async (expr: string) => {
      const [sample] = ((await prometheus.query(expr)).data?.result ?? []) as { value: [number, string] }[];
      return Number(sample?.value[1]);
    };
    expect(await value('sum(onecommons_treasury_token_supply_ucc)')).toBeGreaterThan(0);
    expect(await value('sum(onecommons_treasury_reserve_minor)')).toBeGreaterThan(0);
    expect(await value('min(onecommons_treasury_rounding_residue_minor)')).toBeGreaterThanOrEqual(0);
    expect(await value('sum(onecommons_deployments)')).toBeGreaterThan(0);
    expect(await value('sum(onecommons_webhook_deliveries_total{outcome="succeeded"})')).toBeGreaterThan(0);

    // Prometheus loaded every rule file; each rule parses and, once evaluated, is healthy.
    const ruleCount = ruleFiles
      .map((file) => (readFileSync(file, 'utf8').match(/^\s+- alert:|^\s+- record:/gm) ?? []).length)
      .reduce((sum, count) => sum + count, 0);
    interface Rule {
      readonly name: string;
      readonly query: string;
      readonly health: string;
      readonly lastError?: string;
    }
    const rules = await eventually(
      'every rule to be evaluated',
      async () => {
        const data = await prometheus.get<{ groups: { rules: Rule[] }[] }>('/api/v1/rules');
        const all = data.groups.flatMap((group) => group.rules);
        return all.length === ruleCount && all.every((rule) => rule.health !== 'unknown') ? all : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    const broken: string[] = [];
    for (const rule of rules) {
      if (rule.health !== 'ok') broken.push(`${rule.name}: ${rule.health} ${rule.lastError ?? ''}`);
      const result = await prometheus.query(rule.query);
      if (result.status !== 'success') broken.push(`${rule.name}: ${result.error ?? 'error'}`);
    }
    expect(broken).toEqual([]);

    // Every metric a rule or panel names is one a service declares, but for the pending contract.
    const exprs = [
      ...rules.map((rule) => rule.query),
      ...dashboards.flatMap(({ dashboard }) =>
        panelsOf(dashboard.panels).flatMap((panel) =>
          (panel.targets ?? []).flatMap((target) => target.expr ?? []),
        ),
      ),
    ];
    const referenced = new Set(exprs.flatMap((expr) => expr.match(/\bonecommons_[a-z0-9_]+/g) ?? []));
    const metadata = await prometheus.get<Record<string, unknown>>('/api/v1/metadata');
    const sampled = await prometheus.get<string[]>('/api/v1/label/__name__/values');
    const declared = new Set([...Object.keys(metadata), ...sampled]);
    const undeclared = [...referenced].filter(
      (name) => !declared.has(name) && !declared.has(name.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(undeclared.filter((name) => !PENDING_METRICS.includes(name))).toEqual([]);
    // A demo seed, a period close and a query per rule and panel: past two minutes on a loaded machine.
  }, 240_000);
});
