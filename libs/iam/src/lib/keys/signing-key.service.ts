import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey } from 'node:crypto';

import type { LgspConfig } from '@lgsp/config';
import { ConfigError } from '@lgsp/config';
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP } from '@lgsp/contracts';
import type { ChangeChannel, LgspDb, SigningKeyRecord } from '@lgsp/data';
import { extendSigningKey, insertSigningKey, listLiveSigningKeys, withSigningKeyLock } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';

import { MAX_TOKEN_TTL_SECONDS } from '../iam.constant';
import { KeyDecryptionError, decryptPrivateKey, deriveKeyEncryptionKey, encryptPrivateKey } from './key-encryption.util';
import type { SigningKeyTimings, SigningKeyWindow } from './signing-key-plan.util';
import { planSigningKeys, signingKeyAt } from './signing-key-plan.util';
import { generateSigningKey } from './signing-key.util';

/** A key as this process holds it: imported once, when it first appears. */
export interface LoadedSigningKey extends SigningKeyWindow {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The base64url JWS header every token it signs carries. */
  readonly encodedHeader: string;
}

export interface SigningKeyServiceOptions {
  readonly db: LgspDb;
  readonly config: LgspConfig;
  readonly keyEncryptionKey: string;
  readonly changes: ChangeChannel;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly maintenanceIntervalMs: number;
}

/** Verifiers' clocks may be this far off; a key stays published this much longer than its last token. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** An unknown kid is looked up in the database at most this often. */
const UNKNOWN_KID_RELOAD_MS = 5_000;

export function signingKeyTimings(config: LgspConfig, maintenanceIntervalMs: number): SigningKeyTimings {
  const minimumLeadMs = 2 * config.tokens.jwksRefreshSeconds * 1000;
  return {
    rotationMs: config.tokens.signingKeyRotationDays * 86_400_000,
    minimumLeadMs,
    // Two maintenance rounds of slack: the successor exists before the lead starts, whatever the phase.
    createAheadMs: minimumLeadMs + 2 * maintenanceIntervalMs,
    publishAfterRetirementMs: MAX_TOKEN_TTL_SECONDS * 1000 + CLOCK_SKEW_MS,
  };
}

/**
 * The token-signing keys, shared by every IAM replica through `iam_signing_keys`: created ahead of
 * need under an advisory lock (so replicas never both create one), their private halves decrypted
 * only in memory, reloaded whenever any replica announces a new key on the change channel.
 */
export class SigningKeyService {
  private keys: LoadedSigningKey[] = [];
  private readonly encryptionKey: Buffer;
  private readonly timings: SigningKeyTimings;
  private readonly listeners = new Set<() => void>();
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private lastReloadAt = 0;
  private maintaining?: Promise<number>;

  constructor(private readonly options: SigningKeyServiceOptions) {
    this.encryptionKey = deriveKeyEncryptionKey(options.keyEncryptionKey);
    this.timings = signingKeyTimings(options.config, options.maintenanceIntervalMs);
  }

  /** Ensures and loads the keys, then keeps them up to date: maintenance on a timer, reloads on announcements. */
  async start(): Promise<void> {
    this.unsubscribe = this.options.changes.subscribe((change) => {
      if (change.kind === 'signing-keys' || change.kind === 'resync') {
        this.reload().catch((error: unknown) => this.options.logger.error({ err: error, event: { action: 'signing-keys-reload-failed' } }, 'signing keys could not be reloaded'));
      }
    });
    try {
      await this.ensureSigningKeys();
    } catch (error) {
      if (error instanceof KeyDecryptionError) {
        throw new ConfigError([`LGSP_KEY_ENCRYPTION_KEY: ${error.message} (every replica must use the key the signing keys were stored with)`]);
      }
      throw error;
    }
    this.timer = setInterval(() => {
      this.ensureSigningKeys().catch((error: unknown) =>
        this.options.logger.error({ err: error, event: { action: 'signing-keys-maintenance-failed' } }, 'signing-key maintenance failed; retried on the next round'),
      );
    }, this.options.maintenanceIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.unsubscribe?.();
    this.listeners.clear();
  }

  /** Called after the set of keys changed (a key created or loaded). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Creates the keys the rotation schedule needs now (under the advisory lock), announces them,
   * and loads the current set. Returns how many keys it created. One round at a time per process.
   */
  ensureSigningKeys(): Promise<number> {
    this.maintaining ??= this.maintain().finally(() => {
      this.maintaining = undefined;
    });
    return this.maintaining;
  }

  /** The key that signs now (its window holds the clock). */
  currentSigningKey(): LoadedSigningKey | undefined {
    return signingKeyAt(this.keys, this.options.clock());
  }

  /** A published key by kid; an unknown kid reloads the set (at most every few seconds), as another replica may have created it. */
  async verificationKey(kid: string): Promise<LoadedSigningKey | undefined> {
    const now = this.options.clock();
    const find = () => this.keys.find((key) => key.kid === kid && key.expiresAt > now);
    const found = find();
    if (found !== undefined || Date.now() - this.lastReloadAt < UNKNOWN_KID_RELOAD_MS) return found;
    await this.reload();
    return find();
  }

  /** The keys held now, oldest activation first. */
  loadedKeys(): readonly LoadedSigningKey[] {
    return this.keys;
  }

  /** Reads the published keys, importing only those not held yet, and forgets those no longer published. */
  async reload(): Promise<void> {
    this.lastReloadAt = Date.now();
    const rows = await listLiveSigningKeys(this.options.db, this.options.clock());
    const held = new Map(this.keys.map((key) => [key.kid, key]));
    const next = rows.map((row) => {
      const existing = held.get(row.kid);
      // The windows may have moved (an extension); the key material never does.
      return existing === undefined ? this.importKey(row) : { ...existing, activatesAt: row.activatesAt, retiresAt: row.retiresAt, expiresAt: row.expiresAt };
    });
    const changed = next.length !== this.keys.length || next.some((key, i) => key.kid !== this.keys[i]?.kid || key.retiresAt.getTime() !== this.keys[i]?.retiresAt.getTime());
    this.keys = next;
    if (changed) for (const listener of this.listeners) listener();
  }

  private async maintain(): Promise<number> {
    const created = await withSigningKeyLock(this.options.db, async (tx) => {
      const now = this.options.clock();
      const plan = planSigningKeys(await listLiveSigningKeys(tx, now), now, this.timings);
      if (plan.extend !== undefined) await extendSigningKey(tx, plan.extend.kid, plan.extend.retiresAt, plan.extend.expiresAt);
      const kids: string[] = [];
      for (const window of plan.create) {
        const generated = generateSigningKey();
        await insertSigningKey(tx, {
          kid: generated.kid,
          alg: ACCESS_TOKEN_ALG,
          publicJwk: generated.publicJwk,
          privateKeyCiphertext: encryptPrivateKey(generated.pkcs8, this.encryptionKey, generated.kid),
          ...window,
        });
        generated.pkcs8.fill(0);
        kids.push(generated.kid);
      }
      return { kids, extended: plan.extend?.kid };
    });
    await this.reload();
    if (created.kids.length > 0 || created.extended !== undefined) {
      this.options.logger.info(
        { event: { action: 'signing-keys-created' }, lgsp: { kids: created.kids, extendedKid: created.extended } },
        `signing keys: ${created.kids.length} created${created.extended === undefined ? '' : ', the current one extended'}`,
      );
      await this.options.changes.publish({ kind: 'signing-keys' });
    }
    return created.kids.length;
  }

  private importKey(row: SigningKeyRecord): LoadedSigningKey {
    const pkcs8 = decryptPrivateKey(row.privateKeyCiphertext, this.encryptionKey, row.kid);
    const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    pkcs8.fill(0);
    const header = { alg: ACCESS_TOKEN_ALG, kid: row.kid, typ: ACCESS_TOKEN_TYP };
    return {
      kid: row.kid,
      activatesAt: row.activatesAt,
      retiresAt: row.retiresAt,
      expiresAt: row.expiresAt,
      privateKey,
      publicKey: createPublicKey(privateKey),
      encodedHeader: Buffer.from(JSON.stringify(header), 'utf8').toString('base64url'),
    };
  }
}
