import { ErrorCode, LgspError } from '@lgsp/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ContentTypeParserDoneFunction } from 'fastify/types/content-type-parser';

import { MERGE_PATCH_JSON } from './documents.constant';

type CallbackBodyParser = (request: FastifyRequest, body: string, done: ContentTypeParserDoneFunction) => void;

function malformed(message: string): LgspError {
  return new LgspError(ErrorCode.ValidationFailed, message, [{ location: 'body', message }]);
}

/**
 * Parses application/merge-patch+json (RFC 7396) with Fastify's own JSON parser, which refuses
 * prototype poisoning. A patch of a document must be an object: `null` would remove the document
 * and an array or scalar would replace it, neither of which PATCH may do here.
 */
export function registerMergePatchParser(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser(MERGE_PATCH_JSON)) return;
  // Fastify's default JSON parser is the callback form of FastifyBodyParser.
  const json = fastify.getDefaultJsonParser('error', 'error') as CallbackBodyParser;
  fastify.addContentTypeParser(MERGE_PATCH_JSON, { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(malformed('The merge patch is empty'), undefined);
    json(request, body as string, (error, value) => {
      if (error) return done(malformed('The merge patch is not valid JSON'), undefined);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return done(malformed('A merge patch of a document must be a JSON object'), undefined);
      }
      done(null, value);
    });
  });
}
