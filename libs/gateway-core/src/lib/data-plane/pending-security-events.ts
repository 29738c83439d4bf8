import type { SecurityEvent } from '@lgsp/contracts';

/**
 * Security events raised outside any one request (a Redis outage found by the throttle): each goes
 * into the ledger on the next transaction recorded, so the SOC sees it in the same stream, once.
 */
export class PendingSecurityEvents {
  private readonly queue: SecurityEvent[] = [];

  raise(event: SecurityEvent): void {
    this.queue.push(event);
  }

  take(): SecurityEvent | undefined {
    return this.queue.length === 0 ? undefined : this.queue.shift();
  }
}
