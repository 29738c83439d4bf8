/**
 * Requests per client address over a sliding window, in process: the count of the current fixed
 * window plus the previous window's, weighted by how much of it still overlaps the sliding one
 * (the approximation nginx and Cloudflare use). Two maps, swapped when a window ends, so memory is
 * bounded by the addresses seen in two windows and nothing needs sweeping; an address beyond
 * `maxTracked` in one window is not counted (the in-flight cap still holds), so a spray of IPv6
 * addresses cannot grow the maps without bound.
 */
export class PerIpWindow {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private windowStart = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxTracked: number,
  ) {}

  /** Counts the request and answers true, or answers false (not counted) when the address is over its limit. */
  admit(address: string, now: number): boolean {
    const elapsed = now - this.windowStart;
    if (elapsed >= this.windowMs) this.advance(now, elapsed);
    const count = this.current.get(address) ?? 0;
    const before = this.previous.get(address);
    const estimate = before === undefined ? count : count + (before * (this.windowMs - (now - this.windowStart))) / this.windowMs;
    if (estimate >= this.limit) return false;
    if (count === 0 && this.current.size >= this.maxTracked) return true;
    this.current.set(address, count + 1);
    return true;
  }

  /** Addresses counted in the current window. */
  get tracked(): number {
    return this.current.size;
  }

  private advance(now: number, elapsed: number): void {
    const stale = this.previous;
    stale.clear();
    if (elapsed >= 2 * this.windowMs) {
      // Nothing of the last window overlaps the sliding one any more.
      this.current.clear();
    } else {
      this.previous = this.current;
      this.current = stale;
    }
    this.windowStart = now - (elapsed % this.windowMs);
  }
}
