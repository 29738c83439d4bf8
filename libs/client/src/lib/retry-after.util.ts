/**
 * Seconds to wait from a Retry-After field (RFC 9110 §10.2.3): delay-seconds or an HTTP-date;
 * undefined when absent or unreadable.
 */
export function retryAfterSeconds(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^[0-9]{1,9}$/.test(text)) return Number(text);
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[A-Za-z]/.test(text)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
