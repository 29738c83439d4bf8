import type { LgspConfig } from '@lgsp/config';
import type { ChangeChannel } from '@lgsp/data';
import type { TransactionSink } from '@lgsp/ledger-client';
import type { Logger } from '@lgsp/observability';
import { loadPlatformSigningKey } from '@lgsp/signature';
import type { DynamicModule, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Inject, Injectable, Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

import { PolicyChain } from './chain/policy-chain';
import { registerDataPlane } from './data-plane/data-plane.plugin';
import { HealthController } from './health/health.controller';
import { GatewayNetwork } from './network/gateway-network';
import { GATEWAY_POLICIES } from './policies/gateway-chain.constant';
import { ResponseSigner } from './policies/sign/response-signer';
import { SigningKeysController } from './policies/sign/signing-keys.controller';
import { CertificateRevocationList } from './policies/verify/crl.util';
import { createReplayGuard } from './policies/verify/replay-guard.runtime';
import type { ReplayGuardRuntime } from './policies/verify/replay-guard.runtime';
import { SigningCertificates } from './policies/verify/signing-certificates';
import { BackendJwksController } from './proxy/backend-jwks.controller';
import { BackendJwtSigner } from './proxy/backend-jwt-signer.service';
import { createUpstreamPools, openBackendJwtSigner } from './proxy/proxy-runtime.util';
import { UpstreamPools } from './proxy/upstream-pools';
import type { PendingSecurityEvents } from './data-plane/pending-security-events';
import type { ThrottleRuntime } from './policies/throttle/throttle-runtime.util';
import type { RegistrySource } from './registry/registry-state.service';
import { RegistryState } from './registry/registry-state.service';
import type { JwksSource } from './tokens/jwks-state.service';
import { JwksState } from './tokens/jwks-state.service';
import type { RevocationSource } from './tokens/revocation-set.service';
import { RevocationSet } from './tokens/revocation-set.service';

export interface GatewayModuleOptions {
  readonly config: LgspConfig;
  readonly logger: Logger;
  readonly registry: RegistrySource;
  /** Where `signing-keys`, `token-revoked` and `resync` are heard (the registry source hears its own). */
  readonly changes: Pick<ChangeChannel, 'subscribe'>;
  readonly jwks: JwksSource;
  readonly revocations: RevocationSource;
  readonly sink: TransactionSink;
  /** The throttle's storage and limits (in-process, or Redis shared by the replicas); the app owns it. */
  readonly throttle: ThrottleRuntime;
  /** Security events raised outside requests, recorded with the next transaction. */
  readonly alerts?: PendingSecurityEvents;
  readonly tracingEnabled: boolean;
  /** Settings of the chain's policies by name, over the defaults of their schemas. */
  readonly policies?: Readonly<Record<string, Record<string, unknown>>>;
  /** Date.now() unless a test sets the time. */
  readonly clock?: () => number;
}

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');

/** What verify and sign share beyond the platform key: the certificates, the replay guard, the CRL. */
class SignatureRuntime {
  readonly certificates: SigningCertificates;
  readonly replay: ReplayGuardRuntime;
  readonly crl?: CertificateRevocationList;

  constructor(config: LgspConfig, logger: Logger) {
    this.certificates = new SigningCertificates(logger);
    this.replay = createReplayGuard({ url: config.throttling.redisUrl, timeoutMs: config.throttling.redisTimeoutMs }, logger);
    const { crl, crlRefreshSeconds } = config.signatures;
    if (crl !== undefined) this.crl = new CertificateRevocationList(crl, crlRefreshSeconds, logger);
  }

  async start(): Promise<void> {
    await Promise.all([this.replay.start(), this.crl?.start()]);
  }

  async close(): Promise<void> {
    this.crl?.stop();
    await this.replay.close();
  }
}

@Injectable()
class DataPlaneInstaller implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayModuleOptions,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(RegistryState) private readonly registry: RegistryState,
    @Inject(JwksState) private readonly jwks: JwksState,
    @Inject(RevocationSet) private readonly revocations: RevocationSet,
    @Inject(UpstreamPools) private readonly pools: UpstreamPools,
    @Inject(PolicyChain) private readonly chain: PolicyChain,
    @Inject(SignatureRuntime) private readonly signatures: SignatureRuntime,
    @Inject(ResponseSigner) private readonly signer: ResponseSigner,
  ) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    registerDataPlane(fastify, {
      chain: this.chain,
      sink: this.options.sink,
      bodyLimit: this.options.config.maxBodyBytes,
      alerts: this.options.alerts,
      signer: this.signer,
      signAllResponses: this.options.config.signatures.signAllResponses,
      accessLog: this.options.config.accessLog,
    });
    this.registry.onTable((table, view) => {
      this.pools.retain(table.origins());
      this.options.throttle.limits.update(view.rateLimits);
      this.signatures.certificates.update(view.certificates);
    });
    await Promise.all([this.signatures.start(), this.options.throttle.start(), this.registry.start(), this.jwks.start(), this.revocations.start()]);
  }

  async onApplicationShutdown(): Promise<void> {
    this.registry.stop();
    this.jwks.stop();
    this.revocations.stop();
    await Promise.all([this.pools.close(), this.options.throttle.close(), this.signatures.close()]);
  }
}

/** The gateway's data plane and its health endpoints, composed from instances the app owns. */
@Module({})
export class GatewayModule {
  static forRoot(options: GatewayModuleOptions): DynamicModule {
    const { config, logger } = options;
    return {
      module: GatewayModule,
      controllers: [HealthController, BackendJwksController, SigningKeysController],
      providers: [
        { provide: GATEWAY_OPTIONS, useValue: options },
        { provide: RegistryState, useFactory: () => new RegistryState(options.registry, logger, { publicUrl: config.publicUrl }) },
        {
          provide: JwksState,
          useFactory: () => new JwksState(options.jwks, options.changes, logger, { refreshIntervalMs: config.tokens.jwksRefreshSeconds * 1000 }),
        },
        { provide: RevocationSet, useFactory: () => new RevocationSet(options.revocations, options.changes, logger, { clock: options.clock }) },
        { provide: UpstreamPools, useFactory: () => createUpstreamPools(config, logger, options.clock) },
        { provide: BackendJwtSigner, useFactory: () => openBackendJwtSigner(config, logger, options.clock) },
        { provide: SignatureRuntime, useFactory: () => new SignatureRuntime(config, logger) },
        {
          provide: ResponseSigner,
          useFactory: async () =>
            new ResponseSigner(
              await loadPlatformSigningKey({ keyFile: config.signatures.signingKeyFile, certFile: config.signatures.signingCertFile, dataDir: config.dataDir }),
              new URL(config.publicUrl).origin,
              options.clock,
            ),
        },
        {
          provide: PolicyChain,
          inject: [RegistryState, UpstreamPools, JwksState, RevocationSet, BackendJwtSigner, SignatureRuntime, ResponseSigner],
          useFactory: (
            routes: RegistryState,
            upstreams: UpstreamPools,
            keys: JwksState,
            revocations: RevocationSet,
            backendJwt: BackendJwtSigner,
            signatures: SignatureRuntime,
            signer: ResponseSigner,
          ) =>
            PolicyChain.build(
              GATEWAY_POLICIES,
              {
                guard: { perIpPerSecond: config.guard.perIpPerSecond, maxInFlight: config.guard.maxInFlight },
                proxy: { readTimeoutMs: config.upstream.readTimeoutMs, writeTimeoutMs: config.upstream.writeTimeoutMs },
                ...options.policies,
              },
              {
                routes,
                upstreams,
                backendJwt,
                throttle: options.throttle,
                tracingEnabled: options.tracingEnabled,
                // The platform's own URL is both who issues its tokens and whom they are for.
                tokens: { keys, revocations, issuer: config.publicUrl, audience: config.publicUrl },
                network: new GatewayNetwork(config.network),
                signatures: {
                  certificates: signatures.certificates.get,
                  replayGuard: signatures.replay.guard,
                  isRevoked: signatures.crl?.isRevoked,
                  publicOrigin: new URL(config.publicUrl).origin,
                  requireSignedWrites: config.signatures.requireSignedWrites,
                  signAllResponses: config.signatures.signAllResponses,
                  signer,
                },
                clock: options.clock,
              },
            ),
        },
        DataPlaneInstaller,
      ],
      exports: [RegistryState, JwksState, RevocationSet],
    };
  }
}
