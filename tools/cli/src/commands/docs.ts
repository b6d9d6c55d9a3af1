import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command } from 'commander';
import { CliError, ExitCode } from '../cli-error.js';
import {
  CONFIGURATION_PAGE,
  currentText,
  ENV_EXAMPLE,
  EVENTS_PAGE,
  type GeneratedPage,
  MONEY_RULES_PAGE,
  repositoryRoot,
} from './docs/docs-pages.js';

interface DocsOptions {
  readonly check?: boolean;
}

/**
 * `commons docs events`, `commons docs money-rules` and `commons docs config`: write the generated parts of
 * `docs/` from the code (the event contracts; the allocation engine run on the worked example; the services'
 * config schemas, which also give `.env.example`). `--check` writes nothing and exits 1 when a page on disk is not
 * what the code gives now.
 */
export function registerDocsCommand(program: Command): void {
  const docs = program.command('docs').description('generate the parts of docs/ that come from the code');
  docs
    .command('events')
    .description('write docs/events.md: every event contract, its topic, subject, fields and audience')
    .option('--check', 'write nothing; exit 1 when docs/events.md is stale')
    .action((options: DocsOptions) => generate([EVENTS_PAGE], options));
  docs
    .command('money-rules')
    .description("rewrite the worked example's tables in docs/money-rules.md from the allocation engine")
    .option('--check', 'write nothing; exit 1 when the tables are stale')
    .action((options: DocsOptions) => generate([MONEY_RULES_PAGE], options));
  docs
    .command('config')
    .description(
      "write docs/configuration.md and .env.example from the services' config schemas (build the services first)",
    )
    .option('--check', 'write nothing; exit 1 when either is stale')
    .action((options: DocsOptions) => generate([CONFIGURATION_PAGE, ENV_EXAMPLE], options));
}

async function generate(pages: readonly GeneratedPage[], options: DocsOptions): Promise<void> {
  const root = repositoryRoot(path.dirname(fileURLToPath(import.meta.url)));
  const stale: string[] = [];
  for (const page of pages) {
    const current = currentText(root, page);
    const wanted = await page.render(root, current);
    if (wanted === current) {
      process.stdout.write(`${page.path} is up to date\n`);
    } else if (options.check) {
      stale.push(page.path);
    } else {
      writeFileSync(path.join(root, page.path), wanted);
      process.stdout.write(`wrote ${page.path}\n`);
    }
  }
  if (stale.length > 0)
    throw new CliError(
      `${stale.join(' and ')} ${stale.length === 1 ? 'is' : 'are'} stale: run the command without --check`,
      ExitCode.failed,
    );
}
