import { describe, expect, it } from '@jest/globals';
import { cpuPercentBetween, cpuSecondsOfStat, processGroupOf, type ProcessFacts } from './process-cpu.js';

describe('process CPU', () => {
  it('group the processes of the bench stack by the part they are, and leave the rest of the machine out', () => {
    const stack = { database: 'onecommons_bench', stateDir: '/work/main/.local/bench' };
    const node = '/work/main/.local/node/bin/node --enable-source-maps /work/main/services';
    const of = (commandLine: string, extra: Partial<ProcessFacts> = {}) =>
      processGroupOf({ pid: 10, commandLine, databaseUrl: '', parentCommandLine: '', ...extra }, stack, 1);
    const benchDb = { databaseUrl: 'postgres://oc_metering:x@127.0.0.1:5432/onecommons_bench' };
    const testDb = { databaseUrl: 'postgres://oc_metering:x@127.0.0.1:5432/onecommons_test_3' };
    expect(of(`${node}/metering/dist/src/main.js serve`, benchDb)).toBe('metering');
    expect(of(`${node}/identity/dist/src/main.js serve`, benchDb)).toBe('identity');
    expect(of(`${node}/ledger/dist/src/main.js serve`, benchDb)).toBe('other services');
    expect(of(`${node}/metering/dist/src/main.js serve`, testDb)).toBeNull();
    expect(of('postgres: 15/main: oc_metering onecommons_bench 127.0.0.1(5000) idle')).toBe('postgres');
    expect(of('postgres: 15/main: oc_metering onecommons_test 127.0.0.1(5000) idle')).toBeNull();
    expect(of('postgres: 15/main: walwriter ')).toBe('postgres');
    expect(of('java -Xmx768m kafka.Kafka /work/main/.local/bench/kafka/server.properties')).toBe('kafka');
    expect(of('java -Xmx768m kafka.Kafka /work/main/.local/test/kafka/server.properties')).toBeNull();
    expect(
      of('nginx: worker process', {
        parentCommandLine: 'nginx: master process /usr/sbin/nginx -p /work/main/.local/bench/gateway/',
      }),
    ).toBe('gateway (nginx)');
    expect(
      processGroupOf({ pid: 7, commandLine: 'x', databaseUrl: '', parentCommandLine: '' }, stack, 7),
    ).toBe('bench client');
    expect(of('/usr/bin/bash')).toBeNull();
  });

  it('read user + system ticks of a stat line, even with spaces in the command', () => {
    const stat = '42 (node main (x)) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 1000 0 0';
    expect(cpuSecondsOfStat(stat)).toBe(3);
  });

  it('turn two snapshots into % of one core', () => {
    const percent = cpuPercentBetween(
      new Map([['metering', 10]]),
      new Map([
        ['metering', 15],
        ['postgres', 2],
      ]),
      10,
    );
    expect(Object.fromEntries(percent)).toEqual({ metering: 50, postgres: 20 });
  });
});
