import type { Actor } from '@lgsp/admin-auth';
import type { RegistryChange } from '@lgsp/contracts';
import { auditLog, CHANGE_CHANNEL_NAME, type LgspDb, PostgresChangeChannel } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';

import { REGISTRY_OPTIONS, type RegistryModuleOptions } from '../registry-options.type';

export interface AuditEntry {
  /** 'registration.approve', 'consumer.suspend', 'api-version.lifecycle', … */
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly reason?: string;
}

export interface WriteContext {
  readonly tx: LgspDb;
  readonly now: Date;
  /** Appends to the audit trail in the same transaction: no change without its entry, and no entry without its change. */
  audit(entry: AuditEntry): Promise<void>;
}

export interface WriteOptions {
  /** The change alters what gateways enforce (routes, blocks, statuses, subscriptions, limits, certificates). */
  readonly notifyGateways: boolean;
}

const REGISTRY_CHANGED: RegistryChange = { kind: 'registry' };

/**
 * Every registry write goes through here: one transaction for the change and its audit entry, and
 * the gateways told. On PostgreSQL the NOTIFY is sent inside the transaction, so it is delivered if
 * and only if the change commits; the embedded default's in-process channel publishes after commit.
 */
@Injectable()
export class RegistryStore {
  readonly db: LgspDb;
  private readonly logger: Logger;

  constructor(@Inject(REGISTRY_OPTIONS) private readonly options: RegistryModuleOptions) {
    this.db = options.database.db;
    this.logger = options.logger;
  }

  now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  async write<T>(actor: Actor, options: WriteOptions, work: (context: WriteContext) => Promise<T>): Promise<T> {
    const now = this.now();
    const transactional = this.options.changes instanceof PostgresChangeChannel && this.options.database.kind === 'postgres';
    const result = await this.db.transaction(async (tx) => {
      const context: WriteContext = {
        tx,
        now,
        audit: async (entry) => {
          await tx.insert(auditLog).values({
            at: now,
            actor: actor.id,
            actorRoles: [...actor.roles],
            action: entry.action,
            targetType: entry.targetType,
            targetId: entry.targetId,
            before: entry.before ?? null,
            after: entry.after ?? null,
            reason: entry.reason ?? null,
            requestId: actor.requestId ?? null,
          });
        },
      };
      const value = await work(context);
      if (options.notifyGateways && transactional) {
        await tx.execute(sql`select pg_notify(${CHANGE_CHANNEL_NAME}, ${JSON.stringify(REGISTRY_CHANGED)})`);
      }
      return value;
    });
    if (options.notifyGateways && !transactional) {
      await this.options.changes.publish(REGISTRY_CHANGED).catch((error: unknown) => {
        this.logger.error({ err: error, event: { action: 'registry-change-publish-failed' } }, 'registry change committed but not announced; gateways pick it up on their next resync');
      });
    }
    return result;
  }
}
