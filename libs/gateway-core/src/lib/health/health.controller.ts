import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { RegistryState } from '../registry/registry-state.service';
import type { SnapshotOrigin } from '../registry/registry-state.service';
import { JwksState } from '../tokens/jwks-state.service';
import { RevocationSet } from '../tokens/revocation-set.service';

export interface Readiness {
  status: 'ready' | 'starting';
  /** live: the routing table is the registry's current one; last-known-good: the registry cannot be reached and the last table held (or kept on disk) is served. */
  snapshot: SnapshotOrigin | 'none';
  routes: number;
  signingKeys: number;
}

/**
 * Liveness: the process answers. Readiness: it can decide requests — a routing table, at least one
 * signing key ever loaded (from IAM, the database or the disk cache) and the revoked tokens. A
 * gateway serving its last known good state while PostgreSQL or IAM is down stays ready (it says
 * so in `snapshot`): taking it out of the load balancer would turn an outage of the control plane
 * into one of the data plane.
 */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(RegistryState) private readonly registry: RegistryState,
    @Inject(JwksState) private readonly jwks: JwksState,
    @Inject(RevocationSet) private readonly revocations: RevocationSet,
  ) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply): Readiness {
    const ready = this.registry.loaded && this.jwks.loaded && this.revocations.loaded;
    if (!ready) reply.status(503);
    return { status: ready ? 'ready' : 'starting', snapshot: this.registry.snapshot ?? 'none', routes: this.registry.table.size, signingKeys: this.jwks.keyCount };
  }
}
