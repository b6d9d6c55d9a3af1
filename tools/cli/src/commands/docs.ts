import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command } from 'commander';
import { CliError, ExitCode } from '../cli-error.js';
import {
  currentText,
  EVENTS_PAGE,
  type GeneratedPage,
  MONEY_RULES_PAGE,
  repositoryRoot,
} from './docs/docs-pages.js';

interface DocsOptions {
  readonly check?: boolean;
}

/**
 * `commons docs events` and `commons docs money-rules`: write the generated parts of `docs/` from the code
 * (the event contracts; the allocation engine run on the worked example). `--check` writes nothing and exits
 * 1 when the page on disk is not what the code gives now.
 */
export function registerDocsCommand(program: Command): void {
  const docs = program.command('docs').description('generate the parts of docs/ that come from the code');
  docs
    .command('events')
    .description('write docs/events.md: every event contract, its topic, subject, fields and audience')
    .option('--check', 'write nothing; exit 1 when docs/events.md is stale')
    .action((options: DocsOptions) => generate(EVENTS_PAGE, options));
  docs
    .command('money-rules')
    .description("rewrite the worked example's tables in docs/money-rules.md from the allocation engine")
    .option('--check', 'write nothing; exit 1 when the tables are stale')
    .action((options: DocsOptions) => generate(MONEY_RULES_PAGE, options));
}

function generate(page: GeneratedPage, options: DocsOptions): void {
  const root = repositoryRoot(path.dirname(fileURLToPath(import.meta.url)));
  const current = currentText(root, page);
  const wanted = page.render(root, current);
  if (options.check) {
    if (wanted !== current)
      throw new CliError(`${page.path} is stale: run the command without --check`, ExitCode.failed);
    process.stdout.write(`${page.path} is up to date\n`);
    return;
  }
  if (wanted === current) {
    process.stdout.write(`${page.path} is up to date\n`);
    return;
  }
  writeFileSync(path.join(root, page.path), wanted);
  process.stdout.write(`wrote ${page.path}\n`);
}
