import { parseAllocationInput, tracePeriod } from '@onecommons/allocation';
import { accountStatementLines, USAGE_DISCLOSURE_MIN_SUBSCRIBERS } from './statement-lines.js';

const entry = {
  transaction: 'close:2026-11',
  kind: 'period_close',
  seq: '9',
  line: 4,
  amount: '1',
  hash: '00'.repeat(32),
  postedAt: '2026-12-01T00:00:00.000Z',
};

function traceOf(subscribers: number) {
  const ids = Array.from({ length: subscribers }, (_, index) => `u${index}`);
  const parsed = parseAllocationInput({
    period: '2026-11',
    meters: { seconds: 1 },
    serviceTypes: { app: { providerBps: 0, developerBps: 0 } },
    subscribers: ids.map((id) => ({ id, tokens: '100' })),
    usage: ids.map((id, index) => ({
      subscriber: id,
      service: 'svc',
      meter: 'seconds',
      quantity: index + 1,
    })),
    services: [{ id: 'svc', type: 'app', operator: 'op', project: null, providers: [] }],
  });
  if (!parsed.ok) throw new Error(parsed.error.reason);
  return tracePeriod(parsed.input);
}

describe('accountStatementLines', () => {
  it('shows a service’s summed usage weight once enough subscribers used it that it is nobody’s own', () => {
    const lines = accountStatementLines(traceOf(USAGE_DISCLOSURE_MIN_SUBSCRIBERS), 'operator:op', entry);
    expect(lines).toEqual([
      {
        role: 'operator',
        service: 'svc',
        sourceProject: null,
        project: null,
        level: null,
        amount: '300',
        usage: { subscribers: 3, weight: '6' },
        ledgerEntry: { transaction: 'close:2026-11', seq: '9', line: 4 },
      },
    ]);
  });

  it('withholds the weight below that, which would be one or two subscribers’ usage', () => {
    const [line] = accountStatementLines(traceOf(USAGE_DISCLOSURE_MIN_SUBSCRIBERS - 1), 'operator:op', entry);
    expect(line?.usage).toEqual({ subscribers: 2, weight: null });
  });
});
