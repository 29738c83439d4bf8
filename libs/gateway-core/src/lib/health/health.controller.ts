import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { RegistryState } from '../registry/registry-state.service';
import { JwksState } from '../tokens/jwks-state.service';
import { RevocationSet } from '../tokens/revocation-set.service';

export interface Readiness {
  status: 'ready' | 'starting';
  routes: number;
  signingKeys: number;
}

/**
 * Liveness: the process answers. Readiness: it can decide requests — a routing table, at least one
 * signing key ever loaded (from IAM, the database or the disk cache) and the revoked tokens.
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
    return { status: ready ? 'ready' : 'starting', routes: this.registry.table.size, signingKeys: this.jwks.keyCount };
  }
}
