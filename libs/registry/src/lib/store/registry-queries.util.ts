import type { Classification, Environment } from '@lgsp/contracts';
import { apis, apiVersions, generateClientId, generateClientSecret, hashSecret, insertCredential, type LgspDb, subscriptions } from '@lgsp/data';
import { eq, inArray } from 'drizzle-orm';

export interface RequestableApiVersion {
  readonly id: string;
  readonly classification: Classification;
}

/** API versions a consumer may ask for or be subscribed to (published or deprecated), by `${domain} ${version}`. */
export async function requestableApiVersions(db: LgspDb): Promise<Map<string, RequestableApiVersion>> {
  const rows = await db
    .select({ id: apiVersions.id, domain: apis.domain, version: apiVersions.version, classification: apiVersions.classification })
    .from(apiVersions)
    .innerJoin(apis, eq(apiVersions.apiId, apis.id))
    .where(inArray(apiVersions.status, ['published', 'deprecated']));
  return new Map(rows.map((r) => [`${r.domain} ${r.version}`, { id: r.id, classification: r.classification }]));
}

export interface IssuedCredential {
  readonly clientId: string;
  /** Shown once; only its keyed hash is stored. */
  readonly clientSecret: string;
  readonly environment: Environment;
}

/** A Consumer Key and Secret Key for one environment, inside the caller's transaction. */
export async function issueCredentialIn(tx: LgspDb, consumerId: string, environment: Environment, pepper: string): Promise<IssuedCredential> {
  for (;;) {
    const clientId = generateClientId();
    const clientSecret = generateClientSecret();
    const result = await insertCredential(tx, { clientId, consumerId, environment, secretHash: hashSecret(clientSecret, pepper) });
    if (result.inserted) return { clientId, clientSecret, environment };
    if (result.reason === 'consumer-unknown') throw new Error(`consumer ${consumerId} vanished inside its own transaction`);
    // 144 random bits collided with an existing id: draw again.
  }
}

/** Subscribes the consumer to each API version in the environment; existing subscriptions stay as they are. */
export async function subscribeIn(tx: LgspDb, consumerId: string, apiVersionIds: readonly string[], environment: Environment): Promise<void> {
  if (apiVersionIds.length === 0) return;
  await tx
    .insert(subscriptions)
    .values(apiVersionIds.map((apiVersionId) => ({ consumerId, apiVersionId, environment })))
    .onConflictDoNothing();
}
