import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@onecommons/auth';
import { periodSchema } from '@onecommons/contracts';
import { RateLimited } from '@onecommons/service-kit';
import { type Response } from 'express';
import { PeriodTransparencyReader } from './period-transparency-reader.js';
import { loadTransparencyAssets } from './transparency-assets.js';
import {
  malformedPeriodPage,
  periodNotClosedPage,
  periodTransparencyPage,
  transparencyIndexPage,
} from './transparency-pages.js';
import { TRANSPARENCY_PAGE_LIMITS } from './transparency-rate-limits.js';

/** Closed periods change only by a new adjustment: a minute's staleness is harmless. */
const PUBLIC_PAGE_CACHE = 'public, max-age=60';

function sendPage(response: Response, status: number, page: string, cacheControl = 'no-store'): void {
  response
    .status(status)
    .type('text/html; charset=utf-8')
    .setHeader('Cache-Control', cacheControl)
    .send(page);
}

/**
 * The public transparency pages (docs/transparency.md): no sign-in, HTML for people, at the gateway's
 * `/transparency/` (`/api/ledger/transparency…` here). Only what docs/privacy.md makes public: each closed
 * period's totals, roots and role totals, the projects funded and the flow through dependencies in aggregate. A
 * malformed period is a 400 page, one not closed a 404 page.
 */
@ApiExcludeController() // pages for people, not part of the JSON API
@Controller('transparency')
export class TransparencyController {
  private readonly assets = loadTransparencyAssets();

  constructor(private readonly reader: PeriodTransparencyReader) {}

  /** The closed periods, newest first (the gateway serves it at `/transparency/`). */
  @Get()
  @Public()
  @RateLimited(...TRANSPARENCY_PAGE_LIMITS)
  async index(@Res() response: Response): Promise<void> {
    sendPage(response, 200, transparencyIndexPage(await this.reader.closedPeriods()), PUBLIC_PAGE_CACHE);
  }

  /** The page's scripts: the verifier and its page script, compiled, read at boot. */
  @Get('assets/:file')
  @Public()
  asset(@Param('file') file: string, @Res() response: Response): void {
    const asset = this.assets.get(file);
    if (!asset) {
      response.status(404).type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-store');
      response.send('No such file.');
      return;
    }
    response
      .status(200)
      .type(asset.contentType)
      .setHeader('Cache-Control', 'public, max-age=300')
      .send(asset.body);
  }

  @Get(':period')
  @Public()
  @RateLimited(...TRANSPARENCY_PAGE_LIMITS)
  async period(@Param('period') raw: string, @Res() response: Response): Promise<void> {
    const period = periodSchema.safeParse(raw);
    if (!period.success) return sendPage(response, 400, malformedPeriodPage(raw));
    const view = await this.reader.period(period.data);
    if (!view) return sendPage(response, 404, periodNotClosedPage(period.data));
    sendPage(response, 200, periodTransparencyPage(view), PUBLIC_PAGE_CACHE);
  }
}
