import { ErrorCode, Header, LgspError } from '@lgsp/contracts';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open a closed circuit. */
  readonly failureThreshold: number;
  /** How long an open circuit refuses before it lets one trial call (the probe) through. */
  readonly openMs: number;
}

export interface CircuitTransition {
  readonly origin: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  /** Consecutive failures seen when the circuit opened (1 when a probe failed). */
  readonly failures: number;
}

/** What the breakers of one gateway share: their settings, clock, refusals and who hears transitions. */
export class CircuitBreakerSettings {
  private readonly openRefusals: LgspError[] = [];
  /** While the probe is out: retry in a second (the probe answers or times out within its own deadline). */
  readonly probingRefusal = new LgspError(ErrorCode.CircuitOpen, 'A trial call to this provider service is under way after repeated failures; retry in 1 s', undefined, {
    [Header.retryAfter]: '1',
  });

  constructor(
    readonly options: CircuitBreakerOptions,
    readonly clock: () => number = Date.now,
    readonly onTransition: (transition: CircuitTransition) => void = () => undefined,
  ) {}

  /** Shared by every open circuit: a provider that is down and hammered costs a lookup per refused call. */
  openRefusal(seconds: number): LgspError {
    let refusal = this.openRefusals[seconds];
    if (refusal === undefined) {
      refusal = new LgspError(ErrorCode.CircuitOpen, `Calls to this provider service are paused after repeated failures; retry in ${seconds} s`, undefined, {
        [Header.retryAfter]: String(seconds),
      });
      this.openRefusals[seconds] = refusal;
    }
    return refusal;
  }
}

/**
 * One provider origin's circuit: closed → open after `failureThreshold` consecutive failures; open
 * refuses without touching the upstream until `openMs` has passed; then half-open lets exactly one
 * probe through (concurrent calls are refused), and the probe's success closes it, its failure
 * opens it again. No timer runs: the state moves when a call asks.
 *
 * A call reports its outcome with the ticket `admit` gave it: the generation the circuit was in.
 * Every transition starts a generation, so late outcomes of calls admitted before it (a slow call
 * admitted while closed that fails after the circuit opened, say) change nothing.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private generation = 0;
  private failures = 0;
  private openedAt = 0;
  private probeOut = false;
  private probeAdmittedAt = 0;

  constructor(
    readonly origin: string,
    private readonly settings: CircuitBreakerSettings,
  ) {}

  get state(): CircuitState {
    return this.current;
  }

  /** A ticket to call the upstream with, or the refusal to answer instead. */
  admit(): number | LgspError {
    if (this.current === 'closed') return this.generation;
    const now = this.settings.clock();
    if (this.current === 'open') {
      const remainingMs = this.openedAt + this.settings.options.openMs - now;
      if (remainingMs > 0) return this.settings.openRefusal(Math.ceil(remainingMs / 1000));
      this.transition('half-open', this.failures);
      return this.admitProbe(now);
    }
    // A probe that never reported (it cannot, short of a bug) must not shut the provider out for good.
    if (!this.probeOut || now - this.probeAdmittedAt >= this.settings.options.openMs) return this.admitProbe(now);
    return this.settings.probingRefusal;
  }

  succeeded(ticket: number): void {
    if (ticket !== this.generation) return;
    if (this.current === 'closed') this.failures = 0;
    else if (this.current === 'half-open') this.transition('closed', 0);
  }

  /**
   * The call ended without saying anything about the provider (the gateway could not send it):
   * in half-open, the next call is the probe.
   */
  released(ticket: number): void {
    if (ticket !== this.generation || this.current !== 'half-open') return;
    this.generation++;
    this.probeOut = false;
  }

  failed(ticket: number): void {
    if (ticket !== this.generation) return;
    if (this.current === 'closed') {
      this.failures++;
      if (this.failures >= this.settings.options.failureThreshold) this.open(this.failures);
    } else if (this.current === 'half-open') {
      this.open(1);
    }
  }

  private admitProbe(now: number): number {
    this.generation++;
    this.probeOut = true;
    this.probeAdmittedAt = now;
    return this.generation;
  }

  private open(failures: number): void {
    this.openedAt = this.settings.clock();
    this.transition('open', failures);
  }

  private transition(to: CircuitState, failures: number): void {
    const from = this.current;
    this.current = to;
    this.generation++;
    this.probeOut = false;
    this.failures = to === 'closed' ? 0 : failures;
    this.settings.onTransition({ origin: this.origin, from, to, failures });
  }
}
