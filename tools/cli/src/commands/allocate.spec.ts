import { jest } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../program.js';

/** The shared vectors sit beside the repository root (the folder with `tsconfig.base.json`). */
function allocationVectorsDir(): string {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'tsconfig.base.json'))) {
    if (path.dirname(dir) === dir) throw new Error('repository root not found');
    dir = path.dirname(dir);
  }
  return process.env['ALLOCATION_VECTORS_DIR'] ?? path.resolve(dir, '..', 'shared', 'vectors', 'allocation');
}

const vectorsDir = allocationVectorsDir();
const vectorNames = readdirSync(vectorsDir)
  .filter((file) => file.endsWith('.input.json'))
  .map((file) => file.slice(0, -'.input.json'.length))
  .sort();

async function run(argv: readonly string[]) {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    // Node's one-time warning about Jest's experimental VM modules may land while the command runs.
    if (!/ExperimentalWarning|--trace-warnings/.test(String(chunk))) stderr += String(chunk);
    return true;
  });
  try {
    const exitCode = await runCli(argv);
    return { exitCode, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'commons-allocate-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeScratch(name: string, content: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, content);
  return file;
}

describe('commons allocate', () => {
  it('has shared vectors to run', () => expect(vectorNames.length).toBeGreaterThan(0));

  it.each(vectorNames)('prints the expected allocation of %s', async (name) => {
    const result = await run(['allocate', path.join(vectorsDir, `${name}.input.json`)]);
    const expected: unknown = JSON.parse(
      readFileSync(path.join(vectorsDir, `${name}.expected.json`), 'utf8'),
    );
    expect(result).toEqual({ exitCode: 0, stdout: `${JSON.stringify(expected, null, 2)}\n`, stderr: '' });
  });

  it('exits 2 with the path and reason of invalid input', async () => {
    const input = JSON.parse(readFileSync(path.join(vectorsDir, `${vectorNames[0]}.input.json`), 'utf8')) as {
      usage: { service: string }[];
    };
    (input.usage[0] as { service: string }).service = 'svc-9';
    const result = await run(['allocate', writeScratch('unknown-service.json', JSON.stringify(input))]);
    expect(result).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: 'invalid input: usage[0].service: unknown service svc-9\n',
    });
  });

  it('exits 2 on a negative amount', async () => {
    const file = writeScratch(
      'negative.json',
      JSON.stringify({
        period: 'p',
        meters: {},
        serviceTypes: {},
        subscribers: [{ id: 'u', tokens: -1 }],
        usage: [],
        services: [],
      }),
    );
    const result = await run(['allocate', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('invalid input: subscribers[0].tokens: must not be negative\n');
  });

  it('exits 2 when the file is not JSON', async () => {
    const result = await run(['allocate', writeScratch('broken.json', '{"period": ')]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^invalid input: \$: not valid JSON: .+\n$/);
  });

  it('exits 2 when the file cannot be read', async () => {
    const missing = path.join(scratch, 'missing.json');
    const result = await run(['allocate', missing]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^invalid input: FILE: cannot read .*missing\.json: ENOENT/);
  });

  it('exits 2 without a file argument', async () => {
    expect((await run(['allocate'])).exitCode).toBe(2);
  });
});
