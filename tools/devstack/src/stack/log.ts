/** Progress lines of `./dev` go to stderr, so `--json` output on stdout stays machine-readable. */
export function say(message: string): void {
  process.stderr.write(`[dev] ${message}\n`);
}
