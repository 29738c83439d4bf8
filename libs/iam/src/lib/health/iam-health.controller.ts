import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { SigningKeyService } from '../keys/signing-key.service';

/** The IAM service's own health (when it runs alone): ready once a key signs. */
@Controller('health')
export class IamHealthController {
  constructor(@Inject(SigningKeyService) private readonly keys: SigningKeyService) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply): { status: string } {
    const ready = this.keys.currentSigningKey() !== undefined;
    if (!ready) reply.status(503);
    return { status: ready ? 'ready' : 'starting' };
  }
}
