import { availableBenchmarks, runBenchmark } from './commands/bench.js';
import { down, stack, start, status, up } from './commands/lifecycle.js';
import { OPT_IN_SUITES, runTests, TEST_SUITES, type TestSuite } from './commands/test.js';
import { UsageError } from './commands/usage-error.js';
import { applyTopologyFlags } from './commands/topology-flags.js';

const USAGE = `usage: ./dev <command>
  start [topology]      set up, bring up the stack, migrate, run every service (foreground; Ctrl-C stops)
  up [topology]         the same, detached; returns when every service is ready
  down                  stop what ./dev started
  build                 only install the dependencies and build the workspace (the ./dev script does it)
  status [--json]       where everything is, whether it is ready (exit 1 when a service is not), and each
                        service's consumer lag from the broker (per topic; per partition in --json)
  test [suite...] [-- jest args]  every test; suites: ${TEST_SUITES.join(' ')}
                        ${OPT_IN_SUITES.join(' ')}: only when named (kill -9, broker and database restarts under load)
  bench <name> [--json] run a benchmark: ${availableBenchmarks().join(', ') || '(none built)'}
  stack up|down         only Kafka, Postgres, Redis and the gateway
topology (up, start, test): --replicas N (1-8) instances of every service behind the gateway;
                        --kafka-nodes 3 a 3-node Kafka cluster (replication factor 3, min.insync.replicas 2).
                        The dev stack keeps the topology it came up with until ./dev down.`;

async function run(argv: readonly string[]): Promise<number> {
  const [command, ...given] = argv;
  const rest = applyTopologyFlags(command, given);
  switch (command) {
    case undefined:
    case 'help':
    case '-h':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'start':
      await start();
      return 0;
    case 'up':
      await up();
      return 0;
    case 'down':
      await down();
      return 0;
    case 'status':
      return status(rest.includes('--json'));
    case 'test': {
      // `./dev test integration -- <jest args>` narrows a run, e.g. to one file.
      const separator = rest.indexOf('--');
      const suites = separator < 0 ? rest : rest.slice(0, separator);
      const jestArgs = separator < 0 ? [] : rest.slice(separator + 1);
      const known: readonly string[] = [...TEST_SUITES, ...OPT_IN_SUITES];
      const unknown = suites.filter((suite) => !known.includes(suite));
      if (unknown.length > 0) throw new UsageError(`test: unknown suite ${unknown.join(', ')}`);
      return runTests(suites as TestSuite[], jestArgs);
    }
    case 'bench':
      return runBenchmark(
        rest.find((arg) => !arg.startsWith('--')),
        rest.includes('--json'),
      );
    case 'stack': {
      const [action] = rest;
      if (action !== 'up' && action !== 'down') throw new UsageError('stack: expected up or down');
      await stack(action);
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`[dev] ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`[dev] error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
