/** The reason an upstream call is aborted at its deadline (one instance: nothing reads its stack). */
export class UpstreamDeadlineError extends Error {
  override readonly name = 'UpstreamDeadlineError';
  readonly code = 'LGSP_UPSTREAM_DEADLINE';
}

const DEADLINE_EXCEEDED = new UpstreamDeadlineError('the provider service did not answer before the deadline');

function expire(deadline: UpstreamDeadline): void {
  deadline.aborted = true;
  deadline.reason = DEADLINE_EXCEEDED;
  const listener = deadline.listener;
  deadline.listener = undefined;
  listener?.();
}

/**
 * The deadline of one upstream call, given to undici as its `signal`: undici's own headersTimeout
 * runs on coarse timers that fire up to half a second late, so a 2 s read timeout would answer
 * 504 after ~2.5 s. A plain setTimeout aborts the request on time (the socket is destroyed, so the
 * provider sees the call go away).
 *
 * undici accepts an EventEmitter-like signal; this one holds a single listener (calls are made one
 * after the other, a retry only after the first attempt settled) and costs a few nanoseconds,
 * where an AbortController with its EventTarget costs ~7 µs per call on these machines.
 */
export class UpstreamDeadline {
  aborted = false;
  reason: Error | undefined = undefined;
  /** @internal */
  listener: (() => void) | undefined = undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(readonly timeoutMs: number) {
    this.timer = setTimeout(expire, timeoutMs, this);
  }

  on(_event: 'abort', listener: () => void): this {
    this.listener = listener;
    return this;
  }

  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    if (this.listener === listener) this.listener = undefined;
    return this;
  }

  /** The answer's headers arrived (or the call failed): the deadline no longer applies. */
  clear(): void {
    clearTimeout(this.timer);
    this.listener = undefined;
  }
}
