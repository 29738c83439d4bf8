import { Counter, Gauge } from 'prom-client';
import type { Metric, Registry } from 'prom-client';

import type { CircuitState } from './circuit-breaker';

const STATE_VALUE: Readonly<Record<CircuitState, number>> = { closed: 0, 'half-open': 1, open: 2 };

export interface UpstreamMetrics {
  /** Per provider origin: 0 closed, 1 half-open, 2 open; read from the breakers at each scrape. */
  readonly circuitState: Gauge<'origin'>;
  readonly circuitOpened: Counter<'origin'>;
  readonly retries: Counter<'origin'>;
  readonly all: readonly Metric[];
}

/**
 * The proxy's metrics, registered in the given registries (none: the gateway app registers them in
 * its /metrics registry, as it does the throttle's). Labels are origins, bounded by the registry.
 */
export function createUpstreamMetrics(circuits: () => Iterable<{ readonly origin: string; readonly state: CircuitState }>, registers: Registry[] = []): UpstreamMetrics {
  const circuitState = new Gauge<'origin'>({
    name: 'lgsp_upstream_circuit_state',
    help: 'Circuit breaker of each provider origin: 0 closed (calls flow), 1 half-open (one trial call), 2 open (calls refused with 503 circuit_open)',
    labelNames: ['origin'],
    registers,
    collect() {
      this.reset();
      for (const circuit of circuits()) this.set({ origin: circuit.origin }, STATE_VALUE[circuit.state]);
    },
  });
  const circuitOpened = new Counter<'origin'>({
    name: 'lgsp_upstream_circuit_opened_total',
    help: 'Times the circuit of a provider origin opened (after repeated failures, or a failed trial call)',
    labelNames: ['origin'],
    registers,
  });
  const retries = new Counter<'origin'>({
    name: 'lgsp_upstream_retries_total',
    help: 'Reads (GET, HEAD, OPTIONS) sent a second time after a connection error before any answer',
    labelNames: ['origin'],
    registers,
  });
  return { circuitState, circuitOpened, retries, all: [circuitState, circuitOpened, retries] };
}
