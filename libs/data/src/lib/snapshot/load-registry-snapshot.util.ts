import { and, asc, eq, gt, isNull, or, sql } from 'drizzle-orm';

import type { LgspDb } from '../database/lgsp-database.type';
import { apis, apiVersions, blocks, certificates, consumerSystems, rateLimits, subscriptions } from '../schema';
import type { RegistrySnapshot } from './registry-snapshot.type';

/**
 * Reads the routing and authorization state in one read-only, repeatable-read transaction, so the
 * five queries see the same registry (no subscription to a version the snapshot lacks).
 */
export async function loadRegistrySnapshot(db: LgspDb): Promise<RegistrySnapshot> {
  return db.transaction(
    async (tx) => {
      const versionRows = await tx
        .select({ version: apiVersions, domain: apis.domain, provider: apis.provider })
        .from(apiVersions)
        .innerJoin(apis, eq(apiVersions.apiId, apis.id))
        .orderBy(asc(apis.domain), asc(apiVersions.version));
      const consumerRows = await tx.select().from(consumerSystems).orderBy(asc(consumerSystems.id));
      const subscriptionRows = await tx
        .select()
        .from(subscriptions)
        .orderBy(asc(subscriptions.consumerId), asc(subscriptions.apiVersionId), asc(subscriptions.environment));
      const rateLimitRows = await tx
        .select()
        .from(rateLimits)
        .orderBy(asc(rateLimits.consumerId), asc(rateLimits.apiVersionId));
      const certificateRows = await tx.select().from(certificates).orderBy(asc(certificates.id));
      const blockRows = await tx
        .select()
        .from(blocks)
        .where(and(isNull(blocks.liftedAt), or(isNull(blocks.endsAt), gt(blocks.endsAt, sql`now()`))))
        .orderBy(asc(blocks.startsAt), asc(blocks.id));
      const successorOf = successors(versionRows.map(({ version: v, domain }) => ({ domain, version: v.version, status: v.status })));
      return {
        apiVersions: versionRows.map(({ version: v, domain, provider }) => ({
          id: v.id,
          domain,
          version: v.version,
          ...(provider !== null && { provider }),
          kind: v.kind,
          status: v.status,
          classification: v.classification,
          upstreams: { sandbox: v.upstreamSandbox, production: v.upstreamProduction },
          ...(v.readTimeoutMs !== null && { readTimeoutMs: v.readTimeoutMs }),
          ...(v.writeTimeoutMs !== null && { writeTimeoutMs: v.writeTimeoutMs }),
          ...(v.sunset !== null && { sunset: v.sunset }),
          ...(v.deprecatedAt !== null && { deprecatedAt: v.deprecatedAt.toISOString() }),
          ...(successorOf.has(`${domain} ${v.version}`) && { successor: successorOf.get(`${domain} ${v.version}`) }),
          openapi: v.openapi,
          ...(v.soapReadActions !== null && { soapReadActions: v.soapReadActions }),
        })),
        consumers: consumerRows.map((c) => ({
          id: c.id,
          status: c.status,
          ...(c.securityLevel !== null && { securityLevel: c.securityLevel }),
          ...(c.maxClassification !== null && { maxClassification: c.maxClassification }),
          ...(c.connectionOption !== null && { connectionOption: c.connectionOption }),
        })),
        subscriptions: subscriptionRows.map((s) => ({
          consumerId: s.consumerId,
          apiVersionId: s.apiVersionId,
          environment: s.environment,
        })),
        rateLimits: rateLimitRows.map((r) => ({
          consumerId: r.consumerId,
          apiVersionId: r.apiVersionId,
          readPerMinute: r.readPerMinute,
          writePerMinute: r.writePerMinute,
        })),
        certificates: certificateRows.map((c) => ({
          id: c.id,
          consumerId: c.consumerId,
          pem: c.pem,
          fingerprintSha256: c.fingerprintSha256,
          notBefore: c.notBefore.toISOString(),
          notAfter: c.notAfter.toISOString(),
          status: c.status,
        })),
        blocks: blockRows.map((b) => ({
          id: b.id,
          scope: b.scope,
          ...(b.provider !== null && { provider: b.provider }),
          ...(b.apiVersionId !== null && { apiVersionId: b.apiVersionId }),
          ...(b.operation !== null && { operation: b.operation }),
          reason: b.reason,
          startsAt: b.startsAt.toISOString(),
          ...(b.endsAt !== null && { endsAt: b.endsAt.toISOString() }),
        })),
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/** The version number of v1, v12: what orders an API's versions. */
export function versionNumber(version: string): number {
  return Number(version.slice(1));
}

/**
 * Each version's successor: the next higher version of the same API that is published or
 * deprecated (a draft is not yet a successor), as its data-plane path.
 */
function successors(rows: readonly { domain: string; version: string; status: string }[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const row of rows) {
    let next: { version: string } | undefined;
    for (const other of rows) {
      if (other.domain !== row.domain || (other.status !== 'published' && other.status !== 'deprecated')) continue;
      if (versionNumber(other.version) <= versionNumber(row.version)) continue;
      if (next === undefined || versionNumber(other.version) < versionNumber(next.version)) next = other;
    }
    if (next !== undefined) result.set(`${row.domain} ${row.version}`, `/${next.version}/${row.domain}`);
  }
  return result;
}
