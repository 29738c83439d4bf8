import { once } from 'node:events';

import { OAuthPath } from '@lgsp/contracts';
import type { Logger } from '@lgsp/observability';
import type { DynamicModule, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Inject, Injectable, Module } from '@nestjs/common';
import { Redis } from 'ioredis';

import { ClientAssertionVerifier } from './authentication/client-assertion-verifier.service';
import { ClientAuthenticator } from './authentication/client-authenticator.service';
import { InMemoryAssertionReplayStore } from './authentication/assertion-replay.repository';
import type { AssertionReplayStore } from './authentication/assertion-replay.repository';
import { InMemoryAuthFailureStore } from './brute-force/auth-failure.repository';
import type { AuthFailureStore } from './brute-force/auth-failure.repository';
import { RedisAssertionReplayStore, RedisAuthFailureStore } from './shared-stores/redis-iam-stores';
import { AUTH_FAILURE_WINDOW_MS, BruteForceService } from './brute-force/brute-force.service';
import { ClientCredentialsService } from './clients/client-credentials.service';
import { IAM_OPTIONS } from './iam.constant';
import type { IamModuleOptions } from './iam-options.type';
import { IntrospectionController } from './introspection/introspection.controller';
import { IntrospectionService } from './introspection/introspection.service';
import { JwksController } from './keys/jwks.controller';
import { JwksService } from './keys/jwks.service';
import { SigningKeyService } from './keys/signing-key.service';
import { MetadataController } from './metadata/metadata.controller';
import { OAuthHttpInstaller } from './oauth/oauth-http.service';
import { RevocationController } from './revocation/revocation.controller';
import { RevocationService } from './revocation/revocation.service';
import { AccessTokenVerifier } from './token/access-token-verifier.service';
import { TokenController } from './token/token.controller';
import { TokenService } from './token/token.service';

const KEY_MAINTENANCE_INTERVAL_MS = 60_000;

const timerSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts key maintenance before the listener takes requests; stops its timer on shutdown. */
const IAM_SHARED_REDIS = Symbol('IAM_SHARED_REDIS');

@Injectable()
class IamLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(SigningKeyService) private readonly keys: SigningKeyService,
    @Inject(IAM_SHARED_REDIS) private readonly redis: Redis | undefined,
  ) {}

  async onModuleInit(): Promise<void> {
    await Promise.all([this.keys.start(), this.redisReady()]);
  }

  /** Commands sent before the connection is up would be decided alone; wait for it, but not forever. */
  private async redisReady(): Promise<void> {
    const redis = this.redis;
    if (redis === undefined || redis.status === 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([once(redis, 'ready'), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]).catch(() => undefined);
    clearTimeout(timer);
  }

  onApplicationShutdown(): void {
    this.keys.stop();
    this.redis?.disconnect();
  }
}

/**
 * With REDIS_URL, failed authentications and client-assertion ids are kept in Redis so every IAM
 * replica enforces one limit and one replay guard; each store decides alone while Redis fails.
 */
function sharedStores(options: IamModuleOptions, logger: Logger): { redis?: Redis; failures?: AuthFailureStore; replays?: AssertionReplayStore } {
  const url = options.config.throttling.redisUrl;
  if (url === undefined || (options.authFailureStore !== undefined && options.assertionReplayStore !== undefined)) return {};
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 250 });
  let lastWarned = 0;
  const onError = (error: unknown): void => {
    if (Date.now() - lastWarned < 10_000) return;
    lastWarned = Date.now();
    logger.warn({ err: error, event: { action: 'iam-shared-store-unavailable' } }, 'Redis unreachable: each IAM replica counts failures and assertion ids alone');
  };
  redis.on('error', onError);
  return {
    redis,
    failures: new RedisAuthFailureStore(redis, AUTH_FAILURE_WINDOW_MS, undefined, onError),
    replays: new RedisAssertionReplayStore(redis, undefined, onError),
  };
}

/**
 * The OAuth 2.1 authorization server on whatever public listener imports it (its own in apps/iam,
 * the gateway's in `npm start`): token, JWKS, revocation, introspection and metadata endpoints.
 * It uses, and does not own, the database, change channel and ledger sink it is given.
 */
@Module({})
export class IamModule {
  static forRoot(options: IamModuleOptions): DynamicModule {
    const clock = options.clock ?? (() => new Date());
    const db = options.database.db;
    const issuer = options.config.publicUrl;
    const logger = options.logger.child({ log: { logger: 'iam' } });
    const shared = sharedStores(options, logger);
    return {
      module: IamModule,
      controllers: [TokenController, JwksController, RevocationController, IntrospectionController, MetadataController],
      providers: [
        { provide: IAM_OPTIONS, useValue: options },
        { provide: IAM_SHARED_REDIS, useValue: shared.redis },
        {
          provide: SigningKeyService,
          useFactory: () =>
            new SigningKeyService({
              db,
              config: options.config,
              keyEncryptionKey: options.keyEncryptionKey,
              changes: options.changes,
              logger,
              clock,
              maintenanceIntervalMs: options.keyMaintenanceIntervalMs ?? KEY_MAINTENANCE_INTERVAL_MS,
            }),
        },
        { provide: JwksService, inject: [SigningKeyService], useFactory: (keys: SigningKeyService) => new JwksService(db, options.config, keys, clock) },
        {
          provide: ClientAuthenticator,
          useFactory: () =>
            new ClientAuthenticator({
              db,
              pepper: options.pepper,
              assertions: new ClientAssertionVerifier({
                db,
                audiences: [issuer, issuer + OAuthPath.token],
                replays: options.assertionReplayStore ?? shared.replays ?? new InMemoryAssertionReplayStore(),
                clock,
              }),
              bruteForce: new BruteForceService(
                options.authFailureStore ?? shared.failures ?? new InMemoryAuthFailureStore(AUTH_FAILURE_WINDOW_MS),
                options.config.tokens.authFailureLimit,
                clock,
              ),
              sleep: options.sleep ?? timerSleep,
              clock,
            }),
        },
        { provide: AccessTokenVerifier, inject: [SigningKeyService], useFactory: (keys: SigningKeyService) => new AccessTokenVerifier(keys, issuer, clock) },
        {
          provide: TokenService,
          inject: [ClientAuthenticator, SigningKeyService],
          useFactory: (authenticator: ClientAuthenticator, keys: SigningKeyService) => new TokenService({ db, config: options.config, authenticator, keys, clock }),
        },
        {
          provide: RevocationService,
          inject: [ClientAuthenticator, AccessTokenVerifier],
          useFactory: (authenticator: ClientAuthenticator, verifier: AccessTokenVerifier) =>
            new RevocationService({ db, changes: options.changes, authenticator, verifier, logger }),
        },
        {
          provide: IntrospectionService,
          inject: [ClientAuthenticator, AccessTokenVerifier],
          useFactory: (authenticator: ClientAuthenticator, verifier: AccessTokenVerifier) => new IntrospectionService({ db, authenticator, verifier, clock }),
        },
        { provide: ClientCredentialsService, useFactory: () => new ClientCredentialsService(db, options.config, options.pepper, clock) },
        OAuthHttpInstaller,
        IamLifecycle,
      ],
      exports: [SigningKeyService, ClientCredentialsService, AccessTokenVerifier],
    };
  }
}
