import { readFile } from 'node:fs/promises';
import { allocatePeriod, parseAllocationInput, serializeAllocation } from '@onecommons/allocation';
import { type Command } from 'commander';
import { InvalidInputError } from '../cli-error.js';

/** `commons allocate FILE`: prints the period allocation of an allocation input file (docs/money-rules.md). */
export function registerAllocateCommand(program: Command): void {
  program
    .command('allocate')
    .description('allocate one period from an allocation input JSON file; prints the allocation JSON')
    .argument('<FILE>', 'allocation input (see the allocation vectors README)')
    .action(async (file: string) => {
      const parsed = parseAllocationInput(await readJson(file));
      if (!parsed.ok) throw new InvalidInputError(parsed.error.path, parsed.error.reason);
      process.stdout.write(`${serializeAllocation(allocatePeriod(parsed.input))}\n`);
    });
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError('FILE', `cannot read ${file}: ${describe(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidInputError('$', `not valid JSON: ${describe(error)}`);
  }
}

/** Duck-typed: errors from other realms (a test runner's VM context) are not `instanceof Error` here. */
function describe(error: unknown): string {
  const message: unknown =
    typeof error === 'object' && error !== null ? Reflect.get(error, 'message') : undefined;
  return typeof message === 'string' ? message : String(error);
}
