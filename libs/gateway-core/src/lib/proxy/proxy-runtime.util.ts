import type { LgspConfig } from '@lgsp/config';
import type { Logger } from '@lgsp/observability';

import { loadBackendJwtKey } from './backend-jwt-key.util';
import { BackendJwtSigner } from './backend-jwt-signer.service';
import type { CircuitTransition } from './circuit-breaker';
import { UpstreamPools } from './upstream-pools';

/** Keep-alive connections per provider origin. */
const CONNECTIONS_PER_ORIGIN = 128;
/** Below the usual 5 s of Node and nginx upstreams, so the gateway closes an idle socket before the provider does. */
const KEEP_ALIVE_TIMEOUT_MS = 4000;

/** One line per circuit transition (never per refused call): the SOC sees an outage begin and end. */
export function logCircuitTransition(logger: Logger, openMs: number, transition: CircuitTransition): void {
  const { origin, from, to, failures } = transition;
  const fields = { event: { action: `upstream-circuit-${to}`, kind: 'event' }, lgsp: { upstream: origin, circuitFrom: from, failures } };
  if (to === 'open') {
    const why = from === 'half-open' ? 'the trial call failed' : `${failures} consecutive failures`;
    logger.warn({ ...fields, event: { ...fields.event, kind: 'alert' } }, `circuit of provider ${origin} opened after ${why}: calls answered 503 circuit_open for ${Math.ceil(openMs / 1000)} s`);
  } else if (to === 'half-open') {
    logger.info(fields, `circuit of provider ${origin} half-open: one trial call let through`);
  } else {
    logger.info(fields, `circuit of provider ${origin} closed: the trial call succeeded`);
  }
}

/** The pools and circuit breakers of the provider origins, from config.upstream. */
export function createUpstreamPools(config: LgspConfig, logger: Logger, clock?: () => number): UpstreamPools {
  const circuit = { failureThreshold: config.upstream.circuitFailureThreshold, openMs: config.upstream.circuitOpenMs };
  return new UpstreamPools({
    connectTimeoutMs: config.upstream.connectTimeoutMs,
    connections: CONNECTIONS_PER_ORIGIN,
    keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
    circuit,
    clock,
    onCircuitTransition: (transition) => logCircuitTransition(logger, circuit.openMs, transition),
  });
}

/** The backend JWT signer on LGSP_BACKEND_JWT_KEY, or the key generated into the data dir. */
export async function openBackendJwtSigner(config: LgspConfig, logger: Logger, clock?: () => number): Promise<BackendJwtSigner> {
  const key = await loadBackendJwtKey({ keyFile: config.upstream.backendJwtKeyFile, dataDir: config.dataDir });
  const fields = { event: { action: 'backend-jwt-key' }, lgsp: { kid: key.publicJwk.kid, file: key.file } };
  if (key.generated) logger.info(fields, `generated the backend JWT signing key into ${key.file}`);
  if (config.upstream.backendJwtKeyFile === undefined && config.databaseUrl !== undefined) {
    logger.warn(
      { ...fields, event: { action: 'backend-jwt-key-not-shared', kind: 'alert' } },
      'LGSP_BACKEND_JWT_KEY is unset on a cluster (DATABASE_URL): this replica signs X-LGSP-Assertion with its own key from its data dir; ' +
        'set LGSP_BACKEND_JWT_KEY to one key file shared by every replica so providers can verify them all',
    );
  }
  return new BackendJwtSigner(key, { issuer: config.publicUrl, clock });
}
