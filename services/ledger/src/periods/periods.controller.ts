import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  Authenticated,
  CurrentPrincipal,
  type Principal,
  RequirePlatformRole,
  RequireSelf,
} from '@onecommons/auth';
import { periodOf, periodSchema } from '@onecommons/contracts';
import { type PeriodAllocationJson } from '@onecommons/allocation';
import { UuidParamPipe } from '@onecommons/service-kit';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { LedgerError } from '../ledger-errors.js';
import { UsageRepository } from '../projections/usage.repository.js';
import { publicAdjustmentDto } from '../adjustments/adjustment-views.js';
import { PeriodAdjustmentsRepository } from '../adjustments/period-adjustments.repository.js';
import { EarningsVisibility, roleTotals } from './earnings-visibility.js';
import { OpenPeriodsRepository } from './open-periods.repository.js';
import { PeriodCloseRequests } from './period-close-requests.js';
import { type ClosedPeriod, PeriodCloser, type PeriodCloseDto } from './period-closer.js';
import { PeriodClosesRepository } from './period-closes.repository.js';
import { periodParam } from './period-param.js';
import {
  type AccountStatementDto,
  PeriodStatements,
  type SubscriberStatementDto,
} from './period-statements.js';
import { accountStatementCsv, subscriberStatementCsv } from './statement-csv.js';
import { usageLagOf } from './usage-lag.js';

const closeSchema = z.strictObject({ force: z.boolean({ error: 'must be true or false' }).default(false) });
const statementQuerySchema = z.strictObject({
  period: periodSchema.default(() => periodOf(new Date())),
  /** `csv`: the statement's lines as RFC 4180 CSV, one row per line (docs/statements.md). */
  format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).default('json'),
});
const ACCOUNT_KEY = /^(fund:general|(provider|operator|member|escrow):[0-9a-f-]{36})$/;

@Controller('v1/periods')
export class PeriodsController {
  constructor(
    private readonly closer: PeriodCloser,
    private readonly statements: PeriodStatements,
    private readonly dataSource: DataSource,
    private readonly visibility: EarningsVisibility,
    private readonly requests: PeriodCloseRequests,
    private readonly adjustments: PeriodAdjustmentsRepository,
    private readonly openPeriods: OpenPeriodsRepository,
    private readonly closes: PeriodClosesRepository,
    private readonly usage: UsageRepository,
  ) {}

  /**
   * Closes the period (admin). Before its end plus the grace only with `{"force": true}`; repeating answers the
   * same. Waits up to LEDGER_CLOSE_WAIT_SECONDS for the period's usage to be complete, else 409
   * usage_not_consumed with Retry-After and the lag (the scheduler closes it once caught up).
   */
  @Post(':period/close')
  @HttpCode(200)
  @RequirePlatformRole('admin')
  close(
    @Param('period') period: string,
    @Body({ schema: closeSchema }) body: z.output<typeof closeSchema>,
  ): Promise<PeriodCloseDto> {
    return this.closer.close(periodParam(period), { force: body.force });
  }

  /**
   * The period: once closed, its public result; while open, what has reached the ledger so far. Both show the
   * usage watermark (metering's announcements for the period against what the ledger applied) and the close
   * request, if any.
   */
  @Get(':period')
  @Authenticated()
  async get(@Param('period') raw: string) {
    const period = periodParam(raw);
    const closed = await this.closer.find(period);
    const usageWatermark = usageLagOf(await this.usage.watermark(this.dataSource.manager, period));
    const request = await this.requests.find(this.dataSource.manager, period);
    const closeRequest = request && {
      forced: request.forced,
      requestedAt: request.firstRequestedAt.toISOString(),
      lastRequestedAt: request.lastRequestedAt.toISOString(),
    };
    /** Usage corrections metering sent after the period was sealed, waiting for the next adjustment. */
    const pendingCorrections = await this.adjustments.pendingCount(this.dataSource.manager, period);
    if (closed)
      return {
        period,
        status: 'closed',
        total: closed.total,
        merkleRoot: closed.merkleRoot,
        /** Public: what each role received in total (no one's own amount; docs/privacy.md). */
        roles: roleTotals(closed.allocation.allocations),
        forced: closed.forced,
        closedAt: closed.closedAt,
        usageWatermark,
        closeRequest,
        /** Each adjustment's root beside the close's, newest last (docs/trust-rules.md). */
        adjustments: (await this.adjustments.list(this.dataSource.manager, period)).map(publicAdjustmentDto),
        pendingCorrections,
      };
    const minted = await this.openPeriods.minted(this.dataSource.manager, period);
    // How much of the period's usage and resource points has reached the ledger (what a close now would use).
    const usage = await this.openPeriods.usage(this.dataSource.manager, period);
    const pointServices = await this.openPeriods.servicesWithResourcePoints(this.dataSource.manager, period);
    return {
      period,
      status: 'open',
      closesAt: this.closer.closesAt(period).toISOString(),
      subscribers: minted.subscribers,
      tokens: minted.tokens,
      usage: { rows: usage.rows, quantity: usage.quantity },
      /** Services whose providers' resource points (the provisioner's reports) have reached the ledger. */
      resourcePoints: { services: pointServices },
      /** A close waits until metering has sealed the period and the ledger applied all it announced. */
      usageWatermark,
      closeRequest,
      pendingCorrections,
    };
  }

  /** The exact allocation input the close used, in the shared vectors' format (`commons allocate` reproduces it). */
  @Get(':period/input')
  @RequirePlatformRole('admin')
  async input(@Param('period') raw: string, @Res() response: Response): Promise<void> {
    const closed = await this.statements.closed(periodParam(raw));
    await streamInput(this.dataSource, this.closes, closed, response);
  }

  /**
   * The period's allocation: admins get every row (exactly what `commons allocate` prints from the input);
   * anyone else the public rows (the fund) and their own (docs/privacy.md), with the total and Merkle root.
   */
  @Get(':period/allocations')
  @Authenticated()
  async allocations(
    @CurrentPrincipal() principal: Principal,
    @Param('period') period: string,
  ): Promise<PeriodAllocationJson> {
    const allocation = (await this.statements.closed(periodParam(period))).allocation;
    return {
      period: allocation.period,
      total: allocation.total,
      allocations: await this.visibility.filter(principal, allocation.allocations),
      merkleRoot: allocation.merkleRoot,
    };
  }

  @Get(':period/proofs/:account')
  @Authenticated()
  proof(
    @CurrentPrincipal() principal: Principal,
    @Param('period') period: string,
    @Param('account') account: string,
  ): Promise<AccountStatementDto> {
    if (!ACCOUNT_KEY.test(account))
      throw LedgerError.invalid('validation_failed', 'must be an account key, e.g. operator:<id>', 'account');
    return this.statements.account(principal, account, periodParam(period));
  }
}

@Controller('v1/statements')
export class StatementsController {
  constructor(private readonly statements: PeriodStatements) {}

  /** Where a subscriber's fee went: per service used (with its usage weight), per role, down to members. */
  @Get('subscribers/:subscriberId')
  @RequireSelf('subscriberId')
  async subscriber(
    @Param('subscriberId', UuidParamPipe) subscriberId: string,
    @Query({ schema: statementQuerySchema }) query: z.output<typeof statementQuerySchema>,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SubscriberStatementDto | string> {
    const statement = await this.statements.subscriber(subscriberId, query.period);
    if (query.format === 'json') return statement;
    return sendCsv(
      response,
      `statement-${query.period}-subscriber-${subscriberId}.csv`,
      subscriberStatementCsv(statement),
    );
  }

  /**
   * What an account got in a period, down to usage: by service, role and dependency level, each line with the
   * service's aggregated usage and the journal entry; with the Merkle proof of its row.
   */
  @Get('accounts/:account')
  @Authenticated()
  async account(
    @CurrentPrincipal() principal: Principal,
    @Param('account') account: string,
    @Query({ schema: statementQuerySchema }) query: z.output<typeof statementQuerySchema>,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AccountStatementDto | string> {
    if (!ACCOUNT_KEY.test(account))
      throw LedgerError.invalid('validation_failed', 'must be an account key, e.g. operator:<id>', 'account');
    const statement = await this.statements.account(principal, account, query.period);
    if (query.format === 'json') return statement;
    return sendCsv(
      response,
      `statement-${query.period}-${account.replace(':', '-')}.csv`,
      accountStatementCsv(statement),
    );
  }
}

function sendCsv(response: Response, filename: string, body: string): string {
  response.type('text/csv; charset=utf-8');
  response.setHeader('content-disposition', `attachment; filename="${filename}"`);
  return body;
}

const ROWS_BATCH = 20_000;

/**
 * Writes the recorded input as JSON, its subscribers and usage rows streamed through cursors: a million
 * subscribers' input is larger than one string may be.
 */
async function streamInput(
  dataSource: DataSource,
  closes: PeriodClosesRepository,
  closed: ClosedPeriod,
  response: Response,
): Promise<void> {
  const frozen = closed.inputRows === 'frozen';
  const head = JSON.stringify({ ...closed.input, ...(frozen ? { subscribers: [] } : {}), usage: [] });
  const [beforeSubscribers, afterSubscribers] = frozen
    ? (head.split('"subscribers":[]') as [string, string])
    : [head, ''];
  const [beforeUsage, afterUsage] = (frozen ? afterSubscribers : beforeSubscribers).split('"usage":[]') as [
    string,
    string,
  ];
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction('REPEATABLE READ');
    response.status(200).type('application/json');
    // `closed.period` passed periodSchema (YYYY-MM): the cursors may inline it.
    if (frozen) {
      response.write(`${beforeSubscribers}"subscribers":[`);
      await writeRows(closes.frozenSubscriberBatches(runner.manager, closed.period, ROWS_BATCH), response);
      response.write(']');
    }
    response.write(`${beforeUsage}"usage":[`);
    await writeRows(closes.closedUsageBatches(runner.manager, closed, ROWS_BATCH), response);
    await runner.commitTransaction();
    response.end(`]${afterUsage}`);
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

/** Writes batches of rows as comma-separated JSON values, minding backpressure. */
async function writeRows(batches: AsyncIterable<readonly unknown[]>, response: Response): Promise<void> {
  let first = true;
  for await (const rows of batches) {
    const chunk = rows.map((row) => JSON.stringify(row)).join(',');
    if (!response.write(`${first ? '' : ','}${chunk}`))
      await new Promise((resolve) => response.once('drain', resolve));
    first = false;
  }
}
