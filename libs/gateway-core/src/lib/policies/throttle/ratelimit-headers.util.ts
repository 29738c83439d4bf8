/**
 * The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers) in structured-field syntax, as the
 * contract spells them: `RateLimit-Policy: "read";q=1000;w=60, "write";q=300;w=60` and
 * `RateLimit: "read";r=<remaining>;t=<seconds>`. The fixed parts are built once per budget.
 */
export function rateLimitPolicyField(readLimit: number, writeLimit: number, windowSeconds: number): string {
  return `"read";q=${readLimit};w=${windowSeconds}, "write";q=${writeLimit};w=${windowSeconds}`;
}

/** `"read";r=` — the RateLimit field up to the remaining count. */
export function rateLimitFieldPrefix(name: string): string {
  return `"${name}";r=`;
}

/** Whole seconds, rounded up, until the next unit comes back (Retry-After, and RateLimit's `t`). */
export function secondsUntil(resetMs: number): number {
  return Math.max(1, Math.ceil(resetMs / 1000));
}
