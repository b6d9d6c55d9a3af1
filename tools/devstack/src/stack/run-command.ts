import { spawn } from 'node:child_process';

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Print the command's output as it runs (default: capture it, show it only on failure). */
  readonly inherit?: boolean;
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve(output);
      else {
        const status = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new Error(`${command} ${args.join(' ')} failed (${status})\n${output.trimEnd()}`));
      }
    });
  });
}

/** Runs a command with inherited output and returns its exit code (test and bench runners). */
export function runInteractive(
  command: string,
  args: readonly string[],
  options: Omit<RunOptions, 'inherit'> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export async function commandExists(command: string): Promise<boolean> {
  try {
    await runCommand('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}
