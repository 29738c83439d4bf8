import type { LgspConfig } from '@lgsp/config';
import type { TransactionSink } from '@lgsp/ledger-client';
import type { Logger } from '@lgsp/observability';
import type { DynamicModule, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Inject, Injectable, Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

import { PolicyChain } from './chain/policy-chain';
import { registerDataPlane } from './data-plane/data-plane.plugin';
import { HealthController } from './health/health.controller';
import { GATEWAY_POLICIES } from './policies/gateway-chain.constant';
import { UpstreamPools } from './proxy/upstream-pools';
import type { RegistrySource } from './registry/registry-state.service';
import { RegistryState } from './registry/registry-state.service';

export interface GatewayModuleOptions {
  readonly config: LgspConfig;
  readonly logger: Logger;
  readonly registry: RegistrySource;
  readonly sink: TransactionSink;
  readonly tracingEnabled: boolean;
}

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');

@Injectable()
class DataPlaneInstaller implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayModuleOptions,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(RegistryState) private readonly registry: RegistryState,
    @Inject(UpstreamPools) private readonly pools: UpstreamPools,
    @Inject(PolicyChain) private readonly chain: PolicyChain,
  ) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    registerDataPlane(fastify, {
      chain: this.chain,
      sink: this.options.sink,
      bodyLimit: this.options.config.maxBodyBytes,
      defaultEnvironment: 'sandbox',
    });
    this.registry.onTable((table) => this.pools.retain(table.origins()));
    await this.registry.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.registry.stop();
    await this.pools.close();
  }
}

/** The gateway's data plane and its health endpoints, composed from instances the app owns. */
@Module({})
export class GatewayModule {
  static forRoot(options: GatewayModuleOptions): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [HealthController],
      providers: [
        { provide: GATEWAY_OPTIONS, useValue: options },
        { provide: RegistryState, useFactory: () => new RegistryState(options.registry, options.logger) },
        {
          provide: UpstreamPools,
          useFactory: () => new UpstreamPools({ connectTimeoutMs: options.config.upstream.connectTimeoutMs, connections: 128, keepAliveTimeoutMs: 4000 }),
        },
        {
          provide: PolicyChain,
          inject: [RegistryState, UpstreamPools],
          useFactory: (routes: RegistryState, upstreams: UpstreamPools) =>
            PolicyChain.build(
              GATEWAY_POLICIES,
              { proxy: { readTimeoutMs: options.config.upstream.readTimeoutMs, writeTimeoutMs: options.config.upstream.writeTimeoutMs } },
              { routes, upstreams, tracingEnabled: options.tracingEnabled },
            ),
        },
        DataPlaneInstaller,
      ],
      exports: [RegistryState],
    };
  }
}
