/** A fixed-window request budget, like the per-hour limits both APIs announce in their rate-limit headers. */
export class RateWindow {
  private windowStart: number;
  private used = 0;
  private spentBeforeNextRequest = false;

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
    if (this.spentBeforeNextRequest) {
      this.spentBeforeNextRequest = false;
      this.used = this.limit;
    }
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

  /**
   * The next request finds its window spent, as if other clients of the same project used it up just before.
   * Spending the window current now would let a request that comes after it rolled over (a slow machine) pass.
   */
  spend(): void {
    this.spentBeforeNextRequest = true;
  }

  private roll(): void {
    const now = this.now();
    if (now >= this.windowStart + this.windowMs) {
      this.windowStart = now - ((now - this.windowStart) % this.windowMs);
      this.used = 0;
    }
  }
}
