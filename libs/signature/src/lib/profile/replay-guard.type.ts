/**
 * Remembers the X-Request-ID of every signed request a consumer system sent, for as long as its
 * signature could still be accepted. The embedded default is MemoryReplayGuard; a cluster shares one
 * store (Redis, REDIS_URL) so a request replayed to another replica is caught too.
 */
export interface ReplayGuard {
  /**
   * Records (consumerId, requestId) for `ttlSeconds` and answers whether it was already recorded and
   * not yet expired. Must be atomic: of two concurrent calls with the same pair, one answers true.
   */
  seen(consumerId: string, requestId: string, ttlSeconds: number): Promise<boolean>;
}
