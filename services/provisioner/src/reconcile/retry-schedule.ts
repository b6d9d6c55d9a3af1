/**
 * Capped exponential backoff with jitter for action polls and retries: attempt n waits between half and all
 * of `min(maxMs, baseMs * 2^(n-1))`, so replicas retrying together spread out and no wait exceeds the cap.
 */
export function retryDelayMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** When attempt n may run, under the configured backoff. */
export function retryAt(
  attempt: number,
  config: { readonly PROVISIONER_BACKOFF_BASE_MS: number; readonly PROVISIONER_BACKOFF_MAX_MS: number },
): Date {
  return new Date(
    Date.now() + retryDelayMs(attempt, config.PROVISIONER_BACKOFF_BASE_MS, config.PROVISIONER_BACKOFF_MAX_MS),
  );
}
