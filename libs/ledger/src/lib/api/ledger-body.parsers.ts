import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

import { RECONCILIATION_BODY_LIMIT } from './ledger-api-options.type';

export const RECONCILIATIONS_PATH = '/admin/v1/ledger/reconciliations';

/**
 * Reads text/csv bodies as strings and lets POST reconciliations (and only it) take bodies up to
 * RECONCILIATION_BODY_LIMIT. Runs when the module is instantiated, before Nest registers its
 * routes, so the onRoute hook sees this module's route.
 */
@Injectable()
export class LedgerBodyParsers {
  constructor(@Inject(HttpAdapterHost) host: HttpAdapterHost) {
    const fastify = host.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify === undefined) return;
    if (!fastify.hasContentTypeParser('text/csv')) {
      fastify.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    }
    fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (route.url === RECONCILIATIONS_PATH && methods.includes('POST')) route.bodyLimit = RECONCILIATION_BODY_LIMIT;
    });
  }
}
