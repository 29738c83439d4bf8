import { type Actor, Admin, RequestActor } from '@lgsp/admin-auth';
import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { ExportQueryDto } from './dto/export-query.dto';
import { ExportService } from './export.service';

@ApiTags('declarative configuration')
@Controller('admin/v1')
export class ExportController {
  constructor(@Inject(ExportService) private readonly exports: ExportService) {}

  @Get('declarative-config')
  @Admin('dgo-admin')
  @ApiProduces('application/yaml', 'application/json')
  @ApiOkResponse({
    description:
      'The registry as a declarative file (openapi/declarative-config.schema.json), secrets as hashes only. ' +
      'What the format cannot express is left out and listed in the x-lgsp-skipped header (and, in YAML, a comment).',
    headers: {
      'x-lgsp-skipped': {
        description: 'What the file leaves out and why, as an RFC 8941 list of strings; absent when nothing is.',
        schema: { type: 'string' },
      },
    },
  })
  async declarativeConfig(
    @Query() query: ExportQueryDto,
    @RequestActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const file = await this.exports.declarativeConfig(query.format ?? 'yaml', actor);
    reply.type(file.contentType);
    if (file.skippedHeader !== undefined) reply.header('x-lgsp-skipped', file.skippedHeader);
    return file.body;
  }
}
