import { Header } from '@lgsp/contracts';
import type { FastifyReply } from 'fastify';

/** One response field, name and value, ready to set. */
export type HeaderField = readonly [name: string, value: string];

/** What a deprecated version's answers say about its lifecycle. */
export interface LifecycleFacts {
  /** ISO 8601: when it was deprecated. */
  readonly deprecatedAt?: string;
  /** YYYY-MM-DD: the first day it no longer answers. */
  readonly sunset?: string;
  /** The successor's data-plane path, /v2/documents. */
  readonly successor?: string;
}

/** RFC 9745 Deprecation: a structured-field date, `@` and the Unix seconds. */
export function deprecationField(deprecatedAt: string): string | undefined {
  const ms = Date.parse(deprecatedAt);
  return Number.isNaN(ms) ? undefined : `@${Math.floor(ms / 1000)}`;
}

/**
 * RFC 8594 Sunset: an HTTP-date. A sunset is a calendar day in Việt Nam, so the version goes at
 * 00:00 Asia/Ho_Chi_Minh (UTC+7, no daylight saving) — 17:00 GMT the day before.
 */
export function sunsetField(sunset: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(sunset)) return undefined;
  const ms = Date.parse(`${sunset}T00:00:00+07:00`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toUTCString();
}

/**
 * The Deprecation, Sunset and Link fields of a deprecated version, built once per snapshot. A field
 * whose fact the registry does not hold is left out rather than guessed.
 */
export function lifecycleHeadersOf(facts: LifecycleFacts, publicUrl: string): readonly HeaderField[] | undefined {
  const fields: HeaderField[] = [];
  const deprecation = facts.deprecatedAt === undefined ? undefined : deprecationField(facts.deprecatedAt);
  if (deprecation !== undefined) fields.push([Header.deprecation, deprecation]);
  const sunset = facts.sunset === undefined ? undefined : sunsetField(facts.sunset);
  if (sunset !== undefined) fields.push([Header.sunset, sunset]);
  if (facts.successor !== undefined) fields.push([Header.link, `<${publicUrl}${facts.successor}>; rel="successor-version"`]);
  return fields.length > 0 ? fields : undefined;
}

/**
 * Sets the fields on the reply. The proxy calls it again after copying the provider's headers: the
 * platform speaks for the version's lifecycle, and a provider's own Link (pagination, say) is kept
 * beside the successor link.
 */
export function applyLifecycleHeaders(reply: FastifyReply, fields: readonly HeaderField[], providerLink?: string | string[]): void {
  for (let i = 0; i < fields.length; i++) {
    const [name, value] = fields[i];
    if (name === Header.link && providerLink !== undefined) {
      reply.header(name, `${Array.isArray(providerLink) ? providerLink.join(', ') : providerLink}, ${value}`);
    } else {
      reply.header(name, value);
    }
  }
}
