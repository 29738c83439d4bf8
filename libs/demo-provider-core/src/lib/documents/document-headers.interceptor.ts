import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { tap } from 'rxjs';

import { etagOf } from '../common/etag.util';
import type { Document } from './document.type';

function isDocument(value: unknown): value is Document {
  const candidate = value as Partial<Document> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.id === 'string' && Number.isInteger(candidate.version);
}

/**
 * Every answered document carries its ETag; a created one also its Location. The Location is a
 * relative reference on purpose: resolved against the request URL it names the new document both
 * here (`/documents` → `/documents/{id}`) and through the gateway (`/v1/directory/documents` →
 * `/v1/directory/documents/{id}`), which an absolute path could not.
 */
@Injectable()
export class DocumentHeadersInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const method = http.getRequest<FastifyRequest>().method;
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      tap((result: unknown) => {
        if (!isDocument(result)) return;
        reply.header('etag', etagOf(result.version));
        if (method === 'POST') reply.header('location', `documents/${result.id}`);
      }),
    );
  }
}
