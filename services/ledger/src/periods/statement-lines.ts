import {
  accountSources,
  type PeriodTrace,
  type ProjectLevelFlow,
  type SourceLine,
  type SubscriberTrace,
} from '@onecommons/allocation';
import { type LedgerEntryRef } from './statement-entries.repository.js';

/**
 * A service's summed usage weight is shown only when at least this many paying subscribers used it: below, the
 * weight would be one or two subscribers' own usage (docs/statements.md).
 */
export const USAGE_DISCLOSURE_MIN_SUBSCRIBERS = 3;

/** Where a statement line's amount sits in the journal. */
export interface EntryLinkDto {
  readonly transaction: string;
  readonly seq: string;
  readonly line: number;
}

/** One part of an account's allocated amount; an account's lines sum to its allocation row. */
export interface AccountStatementLineDto {
  /** fund_share, unused_tokens, provider, operator, developer (level 0) or dependency (level ≥ 1). */
  readonly role: SourceLine['role'];
  readonly service: string | null;
  /** For developer and dependency lines: the service's project, where the developer part started. */
  readonly sourceProject: string | null;
  /** For developer and dependency lines: the project that kept the amount and paid the member (or holds it). */
  readonly project: string | null;
  readonly level: number | null;
  readonly amount: string;
  /** The service's paying subscribers and their summed usage weight (null below the disclosure minimum). */
  readonly usage: { readonly subscribers: number; readonly weight: string | null } | null;
  /** The account's credit in the close, which this line is part of. */
  readonly ledgerEntry: EntryLinkDto | null;
}

export function accountStatementLines(
  trace: PeriodTrace,
  account: string,
  closeEntry: LedgerEntryRef | undefined,
): AccountStatementLineDto[] {
  const ledgerEntry = closeEntry ? entryLink(closeEntry) : null;
  return accountSources(trace, account).map((line) => {
    const service = 'service' in line ? line.service : null;
    const flow = 'project' in line ? line : null;
    return {
      role: line.role,
      service,
      sourceProject: flow?.sourceProject ?? null,
      project: flow?.project ?? null,
      level: flow?.level ?? null,
      amount: line.amount.toString(),
      usage: service === null ? null : serviceUsage(trace, service),
      ledgerEntry,
    };
  });
}

function serviceUsage(trace: PeriodTrace, service: string): AccountStatementLineDto['usage'] {
  const usage = trace.usage.get(service);
  if (!usage) return null;
  const disclosed = usage.subscribers >= USAGE_DISCLOSURE_MIN_SUBSCRIBERS;
  return { subscribers: usage.subscribers, weight: disclosed ? usage.weight.toString() : null };
}

/** One service a subscriber used, and where the subscriber's tokens for it went, down to members. */
export interface SubscriberServiceDto {
  readonly service: string;
  /** The subscriber's own usage weight for the service. */
  readonly weight: string;
  readonly amount: string;
  /** Totals of `credits` and `project` by role: providers + operator + developers = amount. */
  readonly roles: { readonly providers: string; readonly operator: string; readonly developers: string };
  /** Provider and operator accounts credited from this amount. */
  readonly credits: readonly {
    readonly role: 'provider' | 'operator';
    readonly account: string;
    readonly amount: string;
  }[];
  /** The developer part: its project, each dependency level's flows, and the members (or escrows) it reached. */
  readonly project: {
    readonly project: string;
    readonly amount: string;
    readonly levels: readonly {
      readonly level: number;
      readonly project: string;
      readonly inflow: string;
      readonly passed: readonly { readonly dependency: string; readonly amount: string }[];
      readonly kept: string;
    }[];
    readonly recipients: readonly {
      readonly project: string;
      readonly account: string;
      readonly amount: string;
    }[];
  } | null;
  /** The debit of the subscriber's escrow in the close, which this amount is part of. */
  readonly ledgerEntry: EntryLinkDto | null;
}

export function subscriberServiceLines(
  trace: SubscriberTrace,
  closeDebit: LedgerEntryRef | undefined,
): SubscriberServiceDto[] {
  const ledgerEntry = closeDebit ? entryLink(closeDebit) : null;
  return trace.services.map((part) => {
    const credits = part.credits.map((credit) => ({
      role: credit.account.startsWith('provider:') ? ('provider' as const) : ('operator' as const),
      account: credit.account,
      amount: credit.amount.toString(),
    }));
    const providers = part.credits
      .filter((credit) => credit.account.startsWith('provider:'))
      .reduce((sum, credit) => sum + credit.amount, 0n);
    const developers = part.developer?.amount ?? 0n;
    return {
      service: part.service,
      weight: part.weight.toString(),
      amount: part.amount.toString(),
      roles: {
        providers: providers.toString(),
        operator: (part.amount - providers - developers).toString(),
        developers: developers.toString(),
      },
      credits,
      project: part.developer && {
        project: part.developer.project,
        amount: part.developer.amount.toString(),
        levels: part.developer.flow.levels.map(levelDto),
        recipients: part.developer.flow.payouts.flatMap((payout) =>
          payout.recipients.map((recipient) => ({
            project: payout.project,
            account: recipient.account,
            amount: recipient.amount.toString(),
          })),
        ),
      },
      ledgerEntry,
    };
  });
}

const levelDto = (flow: ProjectLevelFlow) => ({
  level: flow.level,
  project: flow.project,
  inflow: flow.inflow.toString(),
  passed: flow.passed.map((share) => ({ dependency: share.dependency, amount: share.amount.toString() })),
  kept: flow.kept.toString(),
});

const entryLink = (entry: LedgerEntryRef): EntryLinkDto => ({
  transaction: entry.transaction,
  seq: entry.seq,
  line: entry.line,
});
