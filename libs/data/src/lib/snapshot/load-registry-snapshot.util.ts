import { asc, eq } from 'drizzle-orm';

import type { LgspDb } from '../database/lgsp-database.type';
import { apis, apiVersions, certificates, consumerSystems, rateLimits, subscriptions } from '../schema';
import type { RegistrySnapshot } from './registry-snapshot.type';

/**
 * Reads the routing and authorization state in one read-only, repeatable-read transaction, so the
 * five queries see the same registry (no subscription to a version the snapshot lacks).
 */
export async function loadRegistrySnapshot(db: LgspDb): Promise<RegistrySnapshot> {
  return db.transaction(
    async (tx) => {
      const versionRows = await tx
        .select({ version: apiVersions, domain: apis.domain })
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
      return {
        apiVersions: versionRows.map(({ version: v, domain }) => ({
          id: v.id,
          domain,
          version: v.version,
          status: v.status,
          classification: v.classification,
          upstreams: { sandbox: v.upstreamSandbox, production: v.upstreamProduction },
          ...(v.readTimeoutMs !== null && { readTimeoutMs: v.readTimeoutMs }),
          ...(v.writeTimeoutMs !== null && { writeTimeoutMs: v.writeTimeoutMs }),
          ...(v.sunset !== null && { sunset: v.sunset }),
          openapi: v.openapi,
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
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
