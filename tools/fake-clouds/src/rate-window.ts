/** A fixed-window request budget, like the per-hour limits both APIs announce in their rate-limit headers. */
export class RateWindow {
  private windowStart: number;
  private used = 0;

  constructor(
    private readonly now: () => number,
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.windowStart = now();
  }

  /** Counts a request; false when it is over the budget. */
  take(): boolean {
    this.roll();
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }

  headers(): { limit: string; remaining: string; reset: string } {
    this.roll();
    return {
      limit: String(this.limit),
      remaining: String(Math.max(0, this.limit - this.used)),
      reset: String(Math.ceil((this.windowStart + this.windowMs) / 1_000)),
    };
  }

  /** Spends what is left of the current window, as other clients of the same project would. */
  spend(): void {
    this.roll();
    this.used = this.limit;
  }

  private roll(): void {
    const now = this.now();
    if (now >= this.windowStart + this.windowMs) {
      this.windowStart = now - ((now - this.windowStart) % this.windowMs);
      this.used = 0;
    }
  }
}
