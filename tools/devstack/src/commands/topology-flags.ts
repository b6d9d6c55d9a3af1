import { parseTopology, TOPOLOGY_VARIABLES } from '../profile.js';
import { UsageError } from './usage-error.js';

const COMMANDS_WITH_TOPOLOGY = new Set(['up', 'start', 'test']);
const FLAGS = { '--replicas': 'replicas', '--kafka-nodes': 'kafkaNodes' } as const;

/**
 * Takes `--replicas N` and `--kafka-nodes N` out of the command's arguments (those before a `--`), checks
 * them, and sets them in the environment, where every profile (and every process ./dev starts) reads them.
 * Returns the remaining arguments.
 */
export function applyTopologyFlags(command: string | undefined, args: readonly string[]): string[] {
  const separator = args.indexOf('--');
  const own = separator < 0 ? [...args] : args.slice(0, separator);
  const passedOn = separator < 0 ? [] : args.slice(separator);
  const values: { replicas?: string; kafkaNodes?: string } = {};
  const remaining: string[] = [];
  for (let index = 0; index < own.length; index++) {
    const arg = own[index] ?? '';
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    const key = FLAGS[flag as keyof typeof FLAGS];
    if (key === undefined) {
      remaining.push(arg);
      continue;
    }
    if (!COMMANDS_WITH_TOPOLOGY.has(command ?? ''))
      throw new UsageError(`${command}: ${flag} is for up, start and test`);
    const value = inline ?? own[++index];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    values[key] = value;
  }
  if (values.replicas !== undefined || values.kafkaNodes !== undefined) {
    try {
      const topology = parseTopology(
        {
          replicas: values.replicas ?? process.env[TOPOLOGY_VARIABLES.replicas],
          kafkaNodes: values.kafkaNodes ?? process.env[TOPOLOGY_VARIABLES.kafkaNodes],
        },
        'flag',
      );
      process.env[TOPOLOGY_VARIABLES.replicas] = String(topology.replicas);
      process.env[TOPOLOGY_VARIABLES.kafkaNodes] = String(topology.kafkaNodes);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return [...remaining, ...passedOn];
}
