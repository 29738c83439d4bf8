import { ErrorCode, Header, LgspError } from '@lgsp/contracts';
import type { ExecutionContext } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler';

/**
 * ThrottlerGuard for Nest routes backed by our storages: a refusal is the contract's 429
 * rate_limited problem with Retry-After (seconds until the oldest admitted request leaves the
 * window). Register ThrottlerModule with `setHeaders: false` so no X-RateLimit-* header is sent.
 */
@Injectable()
export class LgspThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const seconds = Math.max(1, detail.timeToBlockExpire);
    throw new LgspError(ErrorCode.RateLimited, `Limited to ${detail.limit} requests per ${Math.round(detail.ttl / 1000)} s; retry in ${seconds} s`, undefined, {
      [Header.retryAfter]: String(seconds),
    });
  }
}
