import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP } from '@lgsp/contracts';
import { loadPublishedJwks } from '@lgsp/data';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import { createLocalJWKSet, errors, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from 'jose';

import { ADMIN_AUTH_OPTIONS, type AdminAuthOptions } from './admin-auth-options.type';

/** An unknown kid reloads the key set at most this often: a flood of forged kids costs one query a second. */
const UNKNOWN_KID_RELOAD_MS = 1000;

/**
 * Verifies admin access tokens against the IAM's published keys, read from the shared tables and
 * reloaded when IAM announces new signing keys (or an unknown kid appears), like the gateway does.
 * Tokens are checked against the real time, never an injected clock.
 */
@Injectable()
export class AdminTokenVerifier implements OnModuleInit, OnModuleDestroy {
  private keySet: JWTVerifyGetKey = createLocalJWKSet({ keys: [] });
  private loadedAt = 0;
  private unsubscribe?: () => void;

  constructor(@Inject(ADMIN_AUTH_OPTIONS) private readonly options: AdminAuthOptions) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = this.options.changes?.subscribe((change) => {
      if (change.kind === 'signing-keys' || change.kind === 'resync') void this.reload().catch(() => undefined);
    });
    await this.reload();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async verify(token: string): Promise<JWTPayload> {
    const { publicUrl } = this.options;
    const { payload } = await jwtVerify(token, this.getKey, {
      issuer: publicUrl,
      audience: publicUrl,
      algorithms: [ACCESS_TOKEN_ALG],
      typ: ACCESS_TOKEN_TYP,
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
    });
    return payload;
  }

  private readonly getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await this.keySet(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || Date.now() - this.loadedAt < UNKNOWN_KID_RELOAD_MS) throw error;
      await this.reload();
      return this.keySet(header, token);
    }
  };

  private async reload(): Promise<void> {
    this.loadedAt = Date.now();
    const jwks = await loadPublishedJwks(this.options.database.db);
    this.keySet = createLocalJWKSet(jwks as unknown as JSONWebKeySet);
  }
}
