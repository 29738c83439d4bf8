import { ErrorCode, LgspError } from '@lgsp/contracts';

import { CircuitBreaker, CircuitBreakerSettings } from './circuit-breaker';
import type { CircuitTransition } from './circuit-breaker';

const ORIGIN = 'http://provider.example:8080';

describe('CircuitBreaker', () => {
  let now: number;
  let transitions: CircuitTransition[];
  let breaker: CircuitBreaker;

  beforeEach(() => {
    now = 1_000_000;
    transitions = [];
    breaker = new CircuitBreaker(ORIGIN, new CircuitBreakerSettings({ failureThreshold: 3, openMs: 30_000 }, () => now, (t) => transitions.push(t)));
  });

  function ticket(): number {
    const admitted = breaker.admit();
    if (typeof admitted !== 'number') throw new Error(`refused: ${admitted.detail}`);
    return admitted;
  }

  function refusal(): LgspError {
    const admitted = breaker.admit();
    if (typeof admitted === 'number') throw new Error('admitted');
    return admitted;
  }

  function openIt(): void {
    for (let i = 0; i < 3; i++) breaker.failed(ticket());
    expect(breaker.state).toBe('open');
  }

  it('opens after the threshold of consecutive failures, and a success in between starts the count again', () => {
    breaker.failed(ticket());
    breaker.failed(ticket());
    breaker.succeeded(ticket());
    breaker.failed(ticket());
    breaker.failed(ticket());
    expect(breaker.state).toBe('closed');
    breaker.failed(ticket());
    expect(breaker.state).toBe('open');
    expect(transitions).toEqual([{ origin: ORIGIN, from: 'closed', to: 'open', failures: 3 }]);
  });

  it('refuses while open with 503 circuit_open and the seconds left of the cool-down as Retry-After', () => {
    openIt();
    const first = refusal();
    expect(first).toBeInstanceOf(LgspError);
    expect(first.code).toBe(ErrorCode.CircuitOpen);
    expect(first.status).toBe(503);
    expect(first.headers).toEqual({ 'retry-after': '30' });
    now += 10_500;
    expect(refusal().headers).toEqual({ 'retry-after': '20' });
    now += 19_499;
    expect(refusal().headers).toEqual({ 'retry-after': '1' });
    // The same refusal object serves every call refused with the same Retry-After.
    expect(refusal()).toBe(refusal());
  });

  it('lets exactly one probe through once the cool-down is over; concurrent calls are refused; its success closes the circuit', () => {
    openIt();
    now += 30_000;
    const probe = ticket();
    expect(breaker.state).toBe('half-open');
    expect(refusal().headers).toEqual({ 'retry-after': '1' });
    expect(refusal().code).toBe(ErrorCode.CircuitOpen);
    breaker.succeeded(probe);
    expect(breaker.state).toBe('closed');
    ticket();
    ticket();
    expect(transitions.map((t) => t.to)).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens again for a whole cool-down when the probe fails', () => {
    openIt();
    now += 31_000;
    breaker.failed(ticket());
    expect(breaker.state).toBe('open');
    expect(refusal().headers).toEqual({ 'retry-after': '30' });
    expect(transitions.at(-1)).toEqual({ origin: ORIGIN, from: 'half-open', to: 'open', failures: 1 });
  });

  it('ignores the late outcomes of calls admitted before a transition', () => {
    const slowWhileClosed = ticket();
    openIt();
    now += 30_000;
    const probe = ticket();
    // A call admitted while closed fails during the probe: it is not the probe's outcome.
    breaker.failed(slowWhileClosed);
    expect(breaker.state).toBe('half-open');
    breaker.succeeded(probe);
    expect(breaker.state).toBe('closed');
    // And a success of an old call does not close an open circuit.
    const old = ticket();
    openIt();
    breaker.succeeded(old);
    expect(breaker.state).toBe('open');
  });

  it('lets another probe through if the first never reports within a cool-down (it cannot, short of a bug)', () => {
    openIt();
    now += 30_000;
    const lost = ticket();
    now += 29_999;
    refusal();
    now += 1;
    const second = ticket();
    breaker.succeeded(lost);
    expect(breaker.state).toBe('half-open');
    breaker.succeeded(second);
    expect(breaker.state).toBe('closed');
  });

  it('lets the next call probe when the probe could not be sent (it says nothing about the provider)', () => {
    openIt();
    now += 30_000;
    const unsent = ticket();
    refusal();
    breaker.released(unsent);
    expect(breaker.state).toBe('half-open');
    const probe = ticket();
    refusal();
    breaker.failed(unsent);
    expect(breaker.state).toBe('half-open');
    breaker.succeeded(probe);
    expect(breaker.state).toBe('closed');
    // Released while closed: nothing changes, the failure count included.
    breaker.failed(ticket());
    breaker.failed(ticket());
    breaker.released(ticket());
    breaker.failed(ticket());
    expect(breaker.state).toBe('open');
  });

  it('costs no clock read while closed', () => {
    const clock = jest.fn(() => now);
    const closed = new CircuitBreaker(ORIGIN, new CircuitBreakerSettings({ failureThreshold: 3, openMs: 1000 }, clock));
    for (let i = 0; i < 10; i++) closed.succeeded(closed.admit() as number);
    expect(clock).not.toHaveBeenCalled();
  });
});
