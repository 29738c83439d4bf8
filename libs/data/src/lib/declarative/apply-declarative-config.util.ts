import type { ApiStatus } from '@lgsp/contracts';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';

import { canonicalJsonSha256 } from '../canonical-json.util';
import { type CertificateInfo, parseCertificate } from '../certificate.util';
import type { LgspDb } from '../database/lgsp-database.type';
import {
  adminClients,
  apis,
  apiVersions,
  certificates,
  consumerSystems,
  credentials,
  rateLimits,
  subscriptions,
} from '../schema';
import { hashSecret, isSecretHash } from '../secret-hash.util';
import { DeclarativeConfigError, type DeclarativeConfigProblem } from './declarative-config.error';
import type { ApplyCounts, ApplyResult, DeclarativeConfig, DeclarativeSecret } from './declarative-config.type';

export interface ApplyOptions {
  /** LGSP_SECRET_PEPPER: plain secrets of the file are stored only as hashSecret(secret, pepper). */
  readonly pepper: string;
}

/** Serialises concurrent applies (replicas starting together with the same file). 'LGSP' + 1. */
const APPLY_LOCK_KEY = 0x4c475351;

const LIFECYCLE_TIMESTAMPS = {
  draft: undefined,
  published: 'publishedAt',
  deprecated: 'deprecatedAt',
  retired: 'retiredAt',
} as const satisfies Record<ApiStatus, string | undefined>;

type Tx = Parameters<Parameters<LgspDb['transaction']>[0]>[0];

/**
 * Brings the registry in line with a declarative file, in one transaction. Merge semantics: every
 * entity the file names is created or updated (matched by its natural key), and nothing it does not
 * name is deleted, since the admin API owns the other rows. A row is written only when one of its
 * values differs, so applying the same file again changes nothing, timestamps included. Statuses the
 * file leaves out are set at creation and left alone afterwards: suspensions, revocations and
 * lifecycle steps made through the admin API survive a restart.
 */
export async function applyDeclarativeConfig(
  db: LgspDb,
  config: DeclarativeConfig,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const prepared = prepare(config, options.pepper);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${APPLY_LOCK_KEY})`);
    const existingVersionIds = await checkAgainstRegistry(tx, config, prepared);
    const apiIds = await applyApis(tx, config, prepared.tallies.apis);
    const versionIds = await applyApiVersions(tx, config, apiIds, prepared.tallies.apiVersions);
    for (const [key, id] of existingVersionIds) if (!versionIds.has(key)) versionIds.set(key, id);
    await applyConsumers(tx, config, prepared);
    await applyAdmins(tx, config, prepared);
    await applySubscriptions(tx, config, versionIds, prepared.tallies.subscriptions);
    return Object.fromEntries(
      Object.entries(prepared.tallies).map(([kind, tally]) => [kind, tally.counts()]),
    ) as unknown as ApplyResult;
  });
}

interface Prepared {
  readonly credentialHashes: ReadonlyMap<string, string>;
  readonly adminHashes: ReadonlyMap<string, string>;
  readonly certificates: ReadonlyMap<string, CertificateInfo>;
  readonly tallies: Record<keyof ApplyResult, Tally>;
}

/** Everything computable without the database, with every problem found reported at once. */
function prepare(config: DeclarativeConfig, pepper: string): Prepared {
  const problems: DeclarativeConfigProblem[] = [];
  const secretHash = (secret: DeclarativeSecret, path: string): string => {
    if ('plain' in secret) return hashSecret(secret.plain, pepper);
    if (!isSecretHash(secret.hash)) problems.push({ path, message: 'must match ^hmac-sha256:[A-Za-z0-9_-]{43}$' });
    return secret.hash;
  };
  const credentialHashes = new Map<string, string>();
  const adminHashes = new Map<string, string>();
  const certificateInfos = new Map<string, CertificateInfo>();
  config.consumers.forEach((consumer, i) => {
    consumer.credentials.forEach((credential, j) =>
      credentialHashes.set(
        credential.clientId,
        secretHash(credential.secret, `consumers[${i}].credentials[${j}].client_secret_hash`),
      ),
    );
    consumer.certificates.forEach((certificate, j) => {
      try {
        certificateInfos.set(certificate.id, parseCertificate(certificate.pem));
      } catch {
        problems.push({ path: `consumers[${i}].certificates[${j}].pem`, message: 'is not a PEM X.509 certificate' });
      }
    });
  });
  config.admins.forEach((admin, i) =>
    adminHashes.set(admin.clientId, secretHash(admin.secret, `admins[${i}].client_secret_hash`)),
  );
  if (problems.length > 0) throw new DeclarativeConfigError(config.source, problems);
  return {
    credentialHashes,
    adminHashes,
    certificates: certificateInfos,
    tallies: {
      consumers: new Tally(),
      credentials: new Tally(),
      certificates: new Tally(),
      rateLimits: new Tally(),
      subscriptions: new Tally(),
      apis: new Tally(),
      apiVersions: new Tally(),
      admins: new Tally(),
    },
  };
}

/**
 * What the file may only refer to or must not collide with in the registry. Returns the ids of the
 * API versions subscribed to that the file does not define.
 */
async function checkAgainstRegistry(
  tx: Tx,
  config: DeclarativeConfig,
  prepared: Prepared,
): Promise<Map<string, string>> {
  const problems: DeclarativeConfigProblem[] = [];

  const defined = new Set(config.apis.map((api) => versionKey(api.domain, api.version)));
  const lookup = [
    ...new Set(
      config.consumers.flatMap((consumer) =>
        consumer.subscriptions.filter((s) => !defined.has(versionKey(s.api, s.version))).map((s) => s.api),
      ),
    ),
  ];
  const registered = new Map<string, string>();
  const registeredDomains = new Set(config.apis.map((api) => api.domain));
  if (lookup.length > 0) {
    const rows = await tx
      .select({ id: apiVersions.id, domain: apis.domain, version: apiVersions.version })
      .from(apiVersions)
      .innerJoin(apis, eq(apiVersions.apiId, apis.id))
      .where(inArray(apis.domain, lookup));
    for (const row of rows) registered.set(versionKey(row.domain, row.version), row.id);
    const domains = await tx.select({ domain: apis.domain }).from(apis).where(inArray(apis.domain, lookup));
    for (const row of domains) registeredDomains.add(row.domain);
  }
  config.consumers.forEach((consumer, i) =>
    consumer.subscriptions.forEach((subscription, j) => {
      const key = versionKey(subscription.api, subscription.version);
      if (defined.has(key) || registered.has(key)) return;
      const path = `consumers[${i}].subscriptions[${j}]`;
      if (!registeredDomains.has(subscription.api)) {
        problems.push({ path: `${path}.api`, message: `no API ${subscription.api} in the file or the registry` });
      } else {
        problems.push({
          path: `${path}.version`,
          message: `API ${subscription.api} has no version ${subscription.version} in the file or the registry`,
        });
      }
    }),
  );

  // Tokens are issued by client_id, so a consumer credential and an admin client may never share one.
  const credentialIds = [...prepared.credentialHashes.keys()];
  const adminIds = [...prepared.adminHashes.keys()];
  const adminsNamed = credentialIds.length
    ? await tx
        .select({ id: adminClients.clientId })
        .from(adminClients)
        .where(inArray(adminClients.clientId, credentialIds))
    : [];
  const credentialsNamed = adminIds.length
    ? await tx.select({ id: credentials.clientId }).from(credentials).where(inArray(credentials.clientId, adminIds))
    : [];
  const takenByAdmins = new Set(adminsNamed.map((row) => row.id));
  const takenByConsumers = new Set(credentialsNamed.map((row) => row.id));
  config.consumers.forEach((consumer, i) =>
    consumer.credentials.forEach((credential, j) => {
      if (takenByAdmins.has(credential.clientId)) {
        problems.push({
          path: `consumers[${i}].credentials[${j}].client_id`,
          message: `${credential.clientId} is already an admin client in the registry`,
        });
      }
    }),
  );
  config.admins.forEach((admin, i) => {
    if (takenByConsumers.has(admin.clientId)) {
      problems.push({
        path: `admins[${i}].client_id`,
        message: `${admin.clientId} is already a consumer credential in the registry`,
      });
    }
  });

  const fingerprints = [...prepared.certificates.values()].map((info) => info.fingerprintSha256);
  if (fingerprints.length > 0) {
    const rows = await tx
      .select({ id: certificates.id, fingerprint: certificates.fingerprintSha256 })
      .from(certificates)
      .where(inArray(certificates.fingerprintSha256, fingerprints));
    config.consumers.forEach((consumer, i) =>
      consumer.certificates.forEach((certificate, j) => {
        const fingerprint = prepared.certificates.get(certificate.id)?.fingerprintSha256;
        const other = rows.find((row) => row.fingerprint === fingerprint && row.id !== certificate.id);
        if (other) {
          problems.push({
            path: `consumers[${i}].certificates[${j}]`,
            message: `the same certificate is already registered as ${other.id}`,
          });
        }
      }),
    );
  }

  if (problems.length > 0) throw new DeclarativeConfigError(config.source, problems);
  return registered;
}

async function applyApis(tx: Tx, config: DeclarativeConfig, tally: Tally): Promise<Map<string, string>> {
  const desired = new Map<string, { name: string | null; provider: string | null }>();
  for (const api of config.apis) {
    const current = desired.get(api.domain) ?? { name: null, provider: null };
    desired.set(api.domain, {
      name: current.name ?? api.name ?? null,
      provider: current.provider ?? api.provider ?? null,
    });
  }
  const ids = new Map<string, string>();
  if (desired.size === 0) return ids;
  const existing = await tx.select().from(apis).where(inArray(apis.domain, [...desired.keys()]));
  const missing: (typeof apis.$inferInsert)[] = [];
  for (const [domain, values] of desired) {
    const row = existing.find((candidate) => candidate.domain === domain);
    if (!row) {
      missing.push({ domain, ...values });
      continue;
    }
    ids.set(domain, row.id);
    const changes = changedValues(row, values);
    if (changes) await tx.update(apis).set({ ...changes, updatedAt: sql`now()` }).where(eq(apis.id, row.id));
    tally.count(changes);
  }
  if (missing.length > 0) {
    const created = await tx.insert(apis).values(missing).returning({ id: apis.id, domain: apis.domain });
    for (const row of created) ids.set(row.domain, row.id);
    tally.created += created.length;
  }
  return ids;
}

async function applyApiVersions(
  tx: Tx,
  config: DeclarativeConfig,
  apiIds: ReadonlyMap<string, string>,
  tally: Tally,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (config.apis.length === 0) return ids;
  const existing = await tx.select().from(apiVersions).where(inArray(apiVersions.apiId, [...apiIds.values()]));
  const openapiHashes = config.apis.map((api) => canonicalJsonSha256(api.openapi));
  for (const [i, api] of config.apis.entries()) {
    const apiId = apiIds.get(api.domain) as string;
    const values = {
      classification: api.classification,
      upstreamSandbox: api.upstreams.sandbox,
      upstreamProduction: api.upstreams.production,
      openapiSha256: openapiHashes[i],
      sunset: api.sunset ?? null,
      readTimeoutMs: api.readTimeoutMs ?? null,
      writeTimeoutMs: api.writeTimeoutMs ?? null,
    };
    const row = existing.find((candidate) => candidate.apiId === apiId && candidate.version === api.version);
    if (!row) {
      const status = api.status ?? 'published';
      const lifecycle = LIFECYCLE_TIMESTAMPS[status];
      const [created] = await tx
        .insert(apiVersions)
        .values({
          apiId,
          version: api.version,
          status,
          openapi: api.openapi,
          ...values,
          ...(lifecycle && { [lifecycle]: sql`now()` }),
        })
        .returning({ id: apiVersions.id });
      ids.set(versionKey(api.domain, api.version), created.id);
      tally.created++;
      continue;
    }
    ids.set(versionKey(api.domain, api.version), row.id);
    const changes: Record<string, unknown> | undefined = changedValues(row, {
      ...values,
      ...(api.status !== undefined && { status: api.status }),
    });
    if (changes?.['openapiSha256'] !== undefined) changes['openapi'] = api.openapi;
    if (changes?.['status'] !== undefined) {
      const lifecycle = LIFECYCLE_TIMESTAMPS[changes['status'] as ApiStatus];
      if (lifecycle && row[lifecycle] === null) changes[lifecycle] = sql`now()`;
    }
    if (changes) {
      await tx
        .update(apiVersions)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(apiVersions.id, row.id));
    }
    tally.count(changes);
  }
  return ids;
}

async function applyConsumers(tx: Tx, config: DeclarativeConfig, prepared: Prepared): Promise<void> {
  if (config.consumers.length === 0) return;
  const consumerIds = config.consumers.map((consumer) => consumer.id);
  const existing = await tx.select().from(consumerSystems).where(inArray(consumerSystems.id, consumerIds));
  for (const consumer of config.consumers) {
    const values = { name: consumer.name, organisation: consumer.organisation ?? null };
    const row = existing.find((candidate) => candidate.id === consumer.id);
    if (!row) {
      await tx.insert(consumerSystems).values({ id: consumer.id, ...values, status: consumer.status ?? 'active' });
      prepared.tallies.consumers.created++;
      continue;
    }
    const changes = changedValues(row, {
      ...values,
      ...(consumer.status !== undefined && { status: consumer.status }),
    });
    if (changes) {
      await tx.update(consumerSystems).set({ ...changes, updatedAt: sql`now()` }).where(eq(consumerSystems.id, row.id));
    }
    prepared.tallies.consumers.count(changes);
  }

  const clientIds = [...prepared.credentialHashes.keys()];
  const existingCredentials = clientIds.length
    ? await tx.select().from(credentials).where(inArray(credentials.clientId, clientIds))
    : [];
  const certificateIds = config.consumers.flatMap((consumer) =>
    consumer.certificates.map((certificate) => certificate.id),
  );
  const existingCertificates = certificateIds.length
    ? await tx.select().from(certificates).where(inArray(certificates.id, certificateIds))
    : [];
  const existingLimits = await tx
    .select()
    .from(rateLimits)
    .where(and(inArray(rateLimits.consumerId, consumerIds), isNull(rateLimits.apiVersionId)));

  for (const consumer of config.consumers) {
    for (const credential of consumer.credentials) {
      const values = {
        consumerId: consumer.id,
        environment: credential.environment,
        secretHash: prepared.credentialHashes.get(credential.clientId) as string,
        tokenTtlSeconds: credential.tokenTtlSeconds ?? null,
      };
      await upsert(prepared.tallies.credentials, {
        row: existingCredentials.find((candidate) => candidate.clientId === credential.clientId),
        values,
        insert: () => tx.insert(credentials).values({ clientId: credential.clientId, ...values }),
        update: (changes) =>
          tx
            .update(credentials)
            .set({ ...changes, updatedAt: sql`now()` })
            .where(eq(credentials.clientId, credential.clientId)),
      });
    }
    for (const certificate of consumer.certificates) {
      const info = prepared.certificates.get(certificate.id) as CertificateInfo;
      const values = { consumerId: consumer.id, ...info };
      await upsert(prepared.tallies.certificates, {
        row: existingCertificates.find((candidate) => candidate.id === certificate.id),
        values,
        insert: () => tx.insert(certificates).values({ id: certificate.id, ...values }),
        update: (changes) =>
          tx.update(certificates).set({ ...changes, updatedAt: sql`now()` }).where(eq(certificates.id, certificate.id)),
      });
    }
    if (consumer.limits) {
      const row = existingLimits.find((candidate) => candidate.consumerId === consumer.id);
      const values = { readPerMinute: consumer.limits.readPerMinute, writePerMinute: consumer.limits.writePerMinute };
      await upsert(prepared.tallies.rateLimits, {
        row,
        values,
        insert: () => tx.insert(rateLimits).values({ consumerId: consumer.id, apiVersionId: null, ...values }),
        update: (changes) =>
          tx
            .update(rateLimits)
            .set({ ...changes, updatedAt: sql`now()` })
            .where(eq(rateLimits.id, row?.id as string)),
      });
    }
  }
}

async function applyAdmins(tx: Tx, config: DeclarativeConfig, prepared: Prepared): Promise<void> {
  if (config.admins.length === 0) return;
  const existing = await tx
    .select()
    .from(adminClients)
    .where(inArray(adminClients.clientId, [...prepared.adminHashes.keys()]));
  for (const admin of config.admins) {
    const values = {
      name: admin.name ?? null,
      organisation: admin.organisation ?? null,
      roles: [...admin.roles],
      secretHash: prepared.adminHashes.get(admin.clientId) as string,
    };
    await upsert(prepared.tallies.admins, {
      row: existing.find((candidate) => candidate.clientId === admin.clientId),
      values,
      insert: () => tx.insert(adminClients).values({ clientId: admin.clientId, ...values }),
      update: (changes) =>
        tx
          .update(adminClients)
          .set({ ...changes, updatedAt: sql`now()` })
          .where(eq(adminClients.clientId, admin.clientId)),
    });
  }
}

async function applySubscriptions(
  tx: Tx,
  config: DeclarativeConfig,
  versionIds: ReadonlyMap<string, string>,
  tally: Tally,
): Promise<void> {
  const consumerIds = config.consumers.filter((consumer) => consumer.subscriptions.length > 0).map((c) => c.id);
  if (consumerIds.length === 0) return;
  const existing = await tx
    .select({
      consumerId: subscriptions.consumerId,
      apiVersionId: subscriptions.apiVersionId,
      environment: subscriptions.environment,
    })
    .from(subscriptions)
    .where(inArray(subscriptions.consumerId, consumerIds));
  const present = new Set(existing.map((row) => `${row.consumerId} ${row.apiVersionId} ${row.environment}`));
  const missing: (typeof subscriptions.$inferInsert)[] = [];
  for (const consumer of config.consumers) {
    for (const subscription of consumer.subscriptions) {
      const apiVersionId = versionIds.get(versionKey(subscription.api, subscription.version)) as string;
      for (const environment of subscription.environments) {
        const key = `${consumer.id} ${apiVersionId} ${environment}`;
        if (present.has(key)) {
          tally.unchanged++;
        } else {
          present.add(key);
          missing.push({ consumerId: consumer.id, apiVersionId, environment });
        }
      }
    }
  }
  if (missing.length > 0) await tx.insert(subscriptions).values(missing);
  tally.created += missing.length;
}

async function upsert<Row extends object, Values extends Partial<Row>>(
  tally: Tally,
  step: {
    readonly row: Row | undefined;
    readonly values: Values;
    readonly insert: () => PromiseLike<unknown>;
    readonly update: (changes: Partial<Values>) => PromiseLike<unknown>;
  },
): Promise<void> {
  if (!step.row) {
    await step.insert();
    tally.created++;
    return;
  }
  const changes = changedValues(step.row, step.values);
  if (changes) await step.update(changes);
  tally.count(changes);
}

/** The values that differ from the row's, or undefined when none does. */
function changedValues<Values extends object>(row: object, values: Values): Partial<Values> | undefined {
  const changes: Partial<Values> = {};
  let changed = false;
  for (const key of Object.keys(values) as (keyof Values)[]) {
    if (!sameValue((row as Record<keyof Values, unknown>)[key], values[key])) {
      changes[key] = values[key];
      changed = true;
    }
  }
  return changed ? changes : undefined;
}

function sameValue(stored: unknown, wanted: unknown): boolean {
  if (stored instanceof Date && wanted instanceof Date) return stored.getTime() === wanted.getTime();
  if (Array.isArray(stored) && Array.isArray(wanted)) {
    return stored.length === wanted.length && stored.every((item, i) => sameValue(item, wanted[i]));
  }
  return (stored ?? null) === (wanted ?? null);
}

function versionKey(domain: string, version: string): string {
  return `${domain} ${version}`;
}

class Tally {
  created = 0;
  updated = 0;
  unchanged = 0;

  count(changes: object | undefined): void {
    if (changes) this.updated++;
    else this.unchanged++;
  }

  counts(): ApplyCounts {
    return { created: this.created, updated: this.updated, unchanged: this.unchanged };
  }
}
