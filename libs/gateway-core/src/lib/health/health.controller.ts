import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { RegistryState } from '../registry/registry-state.service';

/** Liveness: the process answers. Readiness: it has a routing table to serve from. */
@Controller('health')
export class HealthController {
  constructor(@Inject(RegistryState) private readonly registry: RegistryState) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply): { status: string; routes: number } {
    if (!this.registry.loaded) reply.status(503);
    return { status: this.registry.loaded ? 'ready' : 'starting', routes: this.registry.table.size };
  }
}
