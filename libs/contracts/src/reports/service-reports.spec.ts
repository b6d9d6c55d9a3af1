import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { findReport, PayablesReportContract, reportIn, reportLine } from './service-reports.js';

const payables = {
  period: '2026-10',
  currency: 'EUR',
  redeemed: { 'member:a': '1500' },
  adjusted: { 'member:a': '-200' },
  payable: { 'member:a': '1300' },
  inTransit: '0',
  disbursed: '0',
};

describe('a service command’s report line', () => {
  it('is read back as written, among the command’s log lines', () => {
    const output = `{"level":30,"msg":"starting"}\n${reportLine(PayablesReportContract, payables)}{"level":30}\n`;
    expect(findReport(PayablesReportContract, output)).toEqual(payables);
  });

  it('is not found in a log line or another command’s report', () => {
    expect(reportIn(PayablesReportContract, '{"level":30,"msg":"payables"}')).toBeUndefined();
    expect(findReport(PayablesReportContract, '{"payouts":{}}\nnot json\n')).toBeUndefined();
  });

  it('is refused, naming the field, when it does not match its contract', () => {
    const drifted = `{"payables":${JSON.stringify({ ...payables, inTransit: 12.5 })}}`;
    expect(() => reportIn(PayablesReportContract, drifted)).toThrow(/inTransit/);
    const contract = { key: 'count', schema: z.object({ n: z.number().int() }) };
    expect(() => reportIn(contract, '{"count":{"n":"3"}}')).toThrow(/does not match its contract/);
  });
});
