import { periodSchema } from '@onecommons/contracts';
import { InvalidArgumentError, Option } from 'commander';
import { type z } from 'zod';

/**
 * A command of a service process (`node main.js <name> [options]`): `serve`, `migrate`, `replay`, or one its
 * definition declares. Bad options are refused before `action` runs (exit 2); the action exits 0 when done, 1
 * when it failed, 78 when the config is invalid.
 */
export interface ServiceCommand<Options extends object = object> {
  readonly name: string;
  readonly description: string;
  readonly options?: readonly Option[];
  /**
   * Runs the command with its parsed options, keyed by camel-cased flag. A declared command imports its module
   * here (`await import(…)`), so that `serve` and the other commands do not load it. A method, not a property:
   * its parameter is then bivariant, and a command may name its own options type.
   */
  action(options: Options): Promise<void>;
}

/** An option whose value `schema` checks and may transform; a bad value is refused naming the option and value. */
export function checkedOption(
  flags: string,
  description: string,
  schema: z.ZodType<unknown, string>,
): Option {
  return new Option(flags, description).argParser((value: string) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const reason = parsed.error.issues[0]?.message ?? 'invalid';
    // Commander prints it as a sentence after its own: "option '--period <YYYY-MM>' argument 'soon' is invalid."
    throw new InvalidArgumentError(`${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`);
  });
}

/** The required `--period YYYY-MM` of a command that works on one period. */
export function periodOption(description: string): Option {
  return checkedOption('--period <YYYY-MM>', description, periodSchema).makeOptionMandatory();
}
