const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '00000000000000000000000000000000';

/**
 * W3C trace context when OpenTelemetry is off: continue the caller's trace, or start one whose id is
 * the transaction id (a UUID v7 is 128 bits, time-ordered and random), and name the gateway's own
 * hop by the transaction id's random tail. No extra randomness per request.
 */
export function traceContextOf(incoming: string | string[] | undefined, transactionId: string): { traceId: string; traceparent: string } {
  const hex = transactionId.replaceAll('-', '');
  const spanId = hex.slice(16);
  const match = typeof incoming === 'string' ? TRACEPARENT.exec(incoming) : null;
  if (match !== null && match[1] !== ZERO_TRACE && match[2] !== '0000000000000000') {
    return { traceId: match[1], traceparent: `00-${match[1]}-${spanId}-${match[3]}` };
  }
  return { traceId: hex, traceparent: `00-${hex}-${spanId}-00` };
}
