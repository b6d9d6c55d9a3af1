import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Option } from 'commander';
import { z } from 'zod';
import { defineServiceConfig } from '../service-config.js';
import { defineService } from '../service-definition.js';
import { checkedOption, periodOption } from './service-command.js';
import { runServiceCommand } from './service-program.js';

/** What `process.exit` throws here, so that a test sees the status instead of ending. */
class ProcessExit extends Error {
  constructor(readonly status: number) {
    super(`process.exit(${status})`);
  }
}

const close = jest.fn(async (_options: object) => undefined);

const definition = defineService({
  service: 'ledger',
  configSchema: defineServiceConfig({ SERVICE_PROGRAM_SPEC_SETTING: z.string() }),
  entities: [],
  migrations: [],
  features: () => [],
  projections: [],
  errorCodes: [],
  commands: [
    {
      name: 'close',
      description: 'close a period',
      options: [
        periodOption('the period to close'),
        new Option('--force', 'close a period that has not ended'),
        checkedOption(
          '--wait <seconds>',
          'wait up to this long',
          z.string().regex(/^\d+$/, { error: 'must be a number of seconds' }).transform(Number),
        ),
      ],
      action: close,
    },
  ],
});

/** Runs the command line as `main.js` does; `status` is what it exited with, none when its command returned. */
async function run(argv: readonly string[]) {
  let stdout = '';
  let stderr = '';
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    }),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    }),
    jest.spyOn(process, 'exit').mockImplementation((status) => {
      throw new ProcessExit(Number(status));
    }),
  ];
  try {
    await runServiceCommand(definition, argv);
    return { status: undefined, stdout, stderr };
  } catch (error) {
    if (error instanceof ProcessExit) return { status: error.status, stdout, stderr };
    throw error;
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

afterEach(() => {
  close.mockClear();
});

describe('a service command line', () => {
  it('lists every service’s commands and the declared ones, in help on stderr', async () => {
    const help = await run(['--help']);
    expect(help).toMatchObject({ status: 0, stdout: '' });
    for (const command of ['serve', 'migrate', 'replay [options]', 'close [options]'])
      expect(help.stderr).toContain(`  ${command} `);
    const closeHelp = await run(['help', 'close']);
    expect(closeHelp).toMatchObject({ status: 0, stdout: '' });
    expect(closeHelp.stderr).toMatch(/--period <YYYY-MM> +the period to close/);
  });

  it('runs a declared command with its parsed options', async () => {
    expect(await run(['close', '--period', '2026-01', '--force', '--wait', '30'])).toEqual({
      status: undefined,
      stdout: '',
      stderr: '',
    });
    expect(close).toHaveBeenCalledWith({ period: '2026-01', force: true, wait: 30 });
    await run(['close', '--period=2026-02']);
    expect(close).toHaveBeenLastCalledWith({ period: '2026-02' });
  });

  it.each([
    ['serve, given no command', []],
    [
      'replay, given good options',
      ['replay', '--from', '2026-01-01T00:00:00Z', '--verify', '--progress', 'json'],
    ],
  ])('runs %s: a bad config exits 78 naming the variable', async (_command, argv) => {
    const ran = await run(argv);
    expect(ran).toMatchObject({ status: 78, stdout: '' });
    expect(ran.stderr).toMatch(/^ledger: .*SERVICE_PROGRAM_SPEC_SETTING/s);
  });

  it('refuses an unknown command with exit 2, listing the commands', async () => {
    expect(await run(['nosuch'])).toEqual({
      status: 2,
      stdout: '',
      stderr: 'ledger: unknown command nosuch (expected serve, migrate, replay, close)\n',
    });
  });

  it.each([
    [['close'], "ledger close: required option '--period <YYYY-MM>' not specified"],
    [['close', '--period', 'soon'], "ledger close: option '--period <YYYY-MM>' argument 'soon' is invalid."],
    [['close', '--period', '2026-13'], "option '--period <YYYY-MM>' argument '2026-13' is invalid."],
    [
      ['close', '--period', '2026-01', '--wait', 'soon'],
      "option '--wait <seconds>' argument 'soon' is invalid.",
    ],
    [['close', '--period', '2026-01', '--wait'], "ledger close: option '--wait <seconds>' argument missing"],
    [['close', '--period', '2026-01', '--json'], "ledger close: unknown option '--json'"],
    [
      ['replay', '--from', 'yesterday'],
      "ledger replay: option '--from <earliest|time>' argument 'yesterday'",
    ],
    [
      ['replay', '--progress', 'xml'],
      "ledger replay: option '--progress <format>' argument 'xml' is invalid.",
    ],
    [['migrate', 'now'], "ledger migrate: too many arguments for 'migrate'"],
    [['--period', '2026-01'], "ledger: unknown option '--period'"],
  ])('refuses %j with exit 2 naming the option', async (argv, message) => {
    const refused = await run(argv);
    expect(refused).toMatchObject({ status: 2, stdout: '' });
    expect(refused.stderr).toContain(message);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(close).not.toHaveBeenCalled();
  });
});
