import type { OnModuleInit } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

import { OrganisationsModule } from '../organisations/organisations.module';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';
import { registerMergePatchParser } from './merge-patch.util';

@Module({
  imports: [OrganisationsModule],
  controllers: [DocumentsController],
  providers: [DocumentsService],
})
export class DocumentsModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** PATCH bodies arrive as application/merge-patch+json, which Fastify does not parse by itself. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify !== undefined) registerMergePatchParser(fastify);
  }
}
