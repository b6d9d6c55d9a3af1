import {
  parseReplayStart,
  ReplayProgressContract,
  ReplayReportContract,
  reportLine,
} from '@onecommons/contracts';
import { type ReplayStart } from '@onecommons/kafka';
import { migrationConfigShape } from '@onecommons/persistence';
import { shutdownProcessTelemetry } from '@onecommons/telemetry';
import { InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { loadConfigOrExit } from '../bootstrap.js';
import { type ServiceCommand } from '../commands/service-command.js';
import { type ServiceConfig } from '../service-config.js';
import { type ServiceDefinition } from '../service-definition.js';
import { replayService } from './replay-service.js';

export interface ReplayCommandOptions {
  readonly from: ReplayStart;
  readonly verify?: boolean;
  readonly keep?: boolean;
  /** `json`: progress as JSON lines on stdout (for `commons replay`); `text`: a line on stderr now and then. */
  readonly progress: 'json' | 'text';
}

function replayStartOf(value: string): ReplayStart {
  const start = parseReplayStart(value);
  if (!start) throw new InvalidArgumentError('Expected "earliest" or an ISO 8601 time with zone.');
  return start;
}

/** `replay [--from earliest|<ISO time>] [--verify] [--keep] [--progress json|text]`, every service's. */
export function replayCommand<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
): ServiceCommand<ReplayCommandOptions> {
  return {
    name: 'replay',
    description:
      "rebuild the projections from the service's topics into a fresh schema; the last stdout line is the JSON report",
    options: [
      new Option(
        '--from <earliest|time>',
        'from the first retained message or from an ISO 8601 time with zone',
      )
        .argParser(replayStartOf)
        .default({ kind: 'earliest' }, 'earliest'),
      new Option(
        '--verify',
        'compare digests of the rebuilt and the live projections; exit 1 when they differ',
      ),
      new Option('--keep', 'keep the rebuilt schema after --verify (without --verify it is always kept)'),
      new Option('--progress <format>', 'json lines on stdout, or a text line on stderr now and then')
        .choices(['json', 'text'])
        .default('text'),
    ],
    action: (options) => replay(definition, options),
  };
}

/** Rebuilds the projections into a fresh schema. The last stdout line is the JSON report; with `verify`, exit 1 when digests differ. */
export async function replay<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
  options: ReplayCommandOptions,
): Promise<never> {
  const config = loadConfigOrExit(definition.service, definition.configSchema);
  const { MIGRATIONS_DATABASE_URL } = loadConfigOrExit(
    definition.service,
    z.object({ MIGRATIONS_DATABASE_URL: migrationConfigShape.MIGRATIONS_DATABASE_URL }),
  );
  let lastTextReport = 0;
  const report = await replayService(definition, config, MIGRATIONS_DATABASE_URL, {
    from: options.from,
    verify: options.verify ?? false,
    keep: options.keep ?? false,
    onProgress: (progress) => {
      if (options.progress === 'json') {
        process.stdout.write(reportLine(ReplayProgressContract, progress));
      } else if (Date.now() - lastTextReport > 2_000) {
        lastTextReport = Date.now();
        process.stderr.write(`replayed ${progress.processed}/${progress.total} messages\n`);
      }
    },
  });
  process.stdout.write(reportLine(ReplayReportContract, report));
  await shutdownProcessTelemetry();
  process.exit(report.identical === false ? 1 : 0);
}
