import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';

import { InFlightGate } from './in-flight-gate';

class FakeResponse extends EventEmitter {
  destroyed = false;
  close(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

const response = () => new FakeResponse();

describe('InFlightGate', () => {
  it('admits up to max at once and frees a place when a response closes, sent or dropped', () => {
    const gate = new InFlightGate(2);
    const first = response();
    const second = response();
    expect(gate.enter(first as unknown as ServerResponse)).toBe(true);
    expect(gate.enter(second as unknown as ServerResponse)).toBe(true);
    expect(gate.enter(response() as unknown as ServerResponse)).toBe(false);
    expect(gate.inFlight).toBe(2);
    first.close();
    expect(gate.inFlight).toBe(1);
    const third = response();
    expect(gate.enter(third as unknown as ServerResponse)).toBe(true);
    second.close();
    third.close();
    expect(gate.inFlight).toBe(0);
  });

  it('does not count a response already closed (its close event will not come again)', () => {
    const gate = new InFlightGate(1);
    const gone = response();
    gone.close();
    expect(gate.enter(gone as unknown as ServerResponse)).toBe(true);
    expect(gate.inFlight).toBe(0);
  });
});
