import { resolve } from 'node:path';

import { ENVIRONMENTS } from '@lgsp/contracts';
import { eq } from 'drizzle-orm';

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
import { versionNumber } from '../snapshot/load-registry-snapshot.util';
import { DeclarativeConfigError } from './declarative-config.error';
import type { RawAdmin, RawApi, RawConsumer, RawDeclarativeConfig } from './declarative-config.type';
import { parseDeclarativeConfig } from './load-declarative-file.util';

/** A declarative file written from the registry, and what the format could not carry. */
export interface DeclarativeExport {
  /** format_version "1", valid against openapi/declarative-config.schema.json; secrets only as client_secret_hash. */
  readonly config: RawDeclarativeConfig;
  /**
   * What the registry holds and the file leaves out, one line each, "<what>: <why>" (a SOAP version, a
   * revoked credential, a per-API limit…), for the caller to warn about. Identifiers only, no values.
   */
  readonly skipped: readonly string[];
}

type Rows = Awaited<ReturnType<typeof readRegistry>>;
type VersionKey = { readonly domain: string; readonly version: string };

/**
 * Writes the registry out in the declarative format, so that applying the result to an empty
 * registry rebuilds what the format can express: consumers with their active credentials (hashes),
 * active certificates (inline PEM), default limits and subscriptions; active admin clients; REST API
 * versions with their OpenAPI documents inline. Each entry is checked as loadDeclarativeFile would
 * check it and left out, with its reason in `skipped`, when it would be refused. Sorted by natural
 * key, so two exports of the same registry are identical.
 */
export async function exportDeclarativeConfig(db: LgspDb): Promise<DeclarativeExport> {
  const rows = await readRegistry(db);
  const skipped: string[] = [];
  const { entries: apiEntries, exported } = await exportApis(rows, skipped);
  const consumerEntries = await exportConsumers(rows, exported, skipped);
  const consumerClientIds = new Set(consumerEntries.flatMap((c) => (c.credentials ?? []).map((x) => x.client_id)));
  const adminEntries = await exportAdmins(rows, consumerClientIds, skipped);
  return {
    config: { format_version: '1', consumers: consumerEntries, admins: adminEntries, apis: apiEntries },
    skipped,
  };
}

/** One consistent view of the registry: a read-only, repeatable-read transaction. */
async function readRegistry(db: LgspDb) {
  return db.transaction(
    async (tx) => ({
      apis: await tx.select().from(apis),
      versions: await tx
        .select({ version: apiVersions, api: apis })
        .from(apiVersions)
        .innerJoin(apis, eq(apiVersions.apiId, apis.id)),
      consumers: await tx.select().from(consumerSystems),
      credentials: await tx.select().from(credentials),
      certificates: await tx.select().from(certificates),
      rateLimits: await tx.select().from(rateLimits),
      subscriptions: await tx.select().from(subscriptions),
      admins: await tx.select().from(adminClients),
    }),
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

async function exportApis(
  rows: Rows,
  skipped: string[],
): Promise<{ entries: RawApi[]; exported: Map<string, VersionKey> }> {
  const entries: RawApi[] = [];
  /** api_versions.id → domain and version, for the versions written out. */
  const exported = new Map<string, VersionKey>();
  const withVersions = new Set(rows.versions.map(({ version }) => version.apiId));
  for (const api of [...rows.apis].sort((a, b) => byText(a.domain, b.domain))) {
    if (!withVersions.has(api.id)) skipped.push(`api ${api.domain}: has no version, and the format lists versions`);
  }
  const sorted = [...rows.versions].sort(
    (a, b) => byText(a.api.domain, b.api.domain) || versionNumber(a.version.version) - versionNumber(b.version.version),
  );
  for (const { version: v, api } of sorted) {
    const { domain } = api;
    const what = `api version ${domain} ${v.version}`;
    if (v.kind !== 'rest' || v.openapi === null) {
      skipped.push(`${what}: a SOAP service, and the format describes REST versions (openapi) only`);
      continue;
    }
    const outgoing = v.status === 'deprecated' || v.status === 'retired';
    if (v.sunset !== null && !outgoing) skipped.push(`${what}: its sunset, allowed only on a deprecated version`);
    const entry: RawApi = {
      domain,
      version: v.version,
      ...(api.name !== null && { name: api.name }),
      ...(api.provider !== null && { provider: api.provider }),
      ...(v.upstreamSandbox === v.upstreamProduction
        ? { upstream: v.upstreamSandbox }
        : { upstreams: { sandbox: v.upstreamSandbox, production: v.upstreamProduction } }),
      openapi: v.openapi,
      classification: v.classification,
      status: v.status,
      ...(v.sunset !== null && outgoing && { sunset: v.sunset }),
      ...(v.readTimeoutMs !== null && { read_timeout_ms: v.readTimeoutMs }),
      ...(v.writeTimeoutMs !== null && { write_timeout_ms: v.writeTimeoutMs }),
    };
    const refusal = await refusalOf({ format_version: '1', apis: [entry] });
    if (refusal) {
      skipped.push(`${what}: the format refuses it (${refusal})`);
      continue;
    }
    entries.push(entry);
    exported.set(v.id, { domain, version: v.version });
  }
  return { entries, exported };
}

async function exportConsumers(
  rows: Rows,
  exported: ReadonlyMap<string, VersionKey>,
  skipped: string[],
): Promise<RawConsumer[]> {
  const versionOf = new Map(rows.versions.map(({ version, api }) => [version.id, `${api.domain} ${version.version}`]));
  const credentialsOf = byConsumer(rows.credentials);
  const certificatesOf = byConsumer(rows.certificates);
  const limitsOf = byConsumer(rows.rateLimits);
  const subscriptionsOf = byConsumer(rows.subscriptions);
  const entries: RawConsumer[] = [];
  for (const consumer of [...rows.consumers].sort((a, b) => byText(a.id, b.id))) {
    const of = `of ${consumer.id}`;
    const unsaid = [
      consumer.securityLevel !== null && 'security_level',
      consumer.maxClassification !== null && 'max_classification',
      consumer.connectionOption !== null && 'connection_option',
    ].filter((field): field is string => field !== false);
    if (unsaid.length > 0) skipped.push(`consumer ${consumer.id}: ${unsaid.join(', ')}, not in the format`);

    const credentialEntries: NonNullable<RawConsumer['credentials']> = [];
    for (const credential of (credentialsOf.get(consumer.id) ?? []).sort((a, b) => byText(a.clientId, b.clientId))) {
      const what = `credential ${credential.clientId} ${of}`;
      if (credential.status !== 'active') {
        skipped.push(`${what}: revoked, and the format would make it usable again`);
        continue;
      }
      const previousUntil = credential.previousSecretHash !== null ? credential.previousSecretExpiresAt : null;
      if (previousUntil !== null && previousUntil > new Date()) {
        skipped.push(`${what}: its previous secret, still accepted during rotation`);
      }
      credentialEntries.push({
        client_id: credential.clientId,
        client_secret_hash: credential.secretHash,
        environment: credential.environment,
        ...(credential.tokenTtlSeconds !== null && { token_ttl_seconds: credential.tokenTtlSeconds }),
      });
    }

    const certificateEntries: NonNullable<RawConsumer['certificates']> = [];
    for (const certificate of (certificatesOf.get(consumer.id) ?? []).sort((a, b) => byText(a.id, b.id))) {
      if (certificate.status !== 'active') {
        skipped.push(`certificate ${certificate.id} ${of}: revoked, and the format would make it usable again`);
        continue;
      }
      certificateEntries.push({ id: certificate.id, pem: certificate.pem });
    }

    let limits: RawConsumer['limits'];
    const perApi: string[] = [];
    for (const limit of limitsOf.get(consumer.id) ?? []) {
      if (limit.apiVersionId === null) {
        limits = { read_per_minute: limit.readPerMinute, write_per_minute: limit.writePerMinute };
      } else {
        perApi.push(versionOf.get(limit.apiVersionId) as string);
      }
    }
    for (const version of perApi.sort(byText)) {
      skipped.push(`limits ${of} for ${version}: per-API limits are not in the format`);
    }

    const environments = new Map<string, { key: VersionKey; environments: Set<string> }>();
    const subscribed = subscriptionsOf.get(consumer.id) ?? [];
    for (const subscription of subscribed) {
      const key = exported.get(subscription.apiVersionId);
      if (!key) continue;
      const entry = environments.get(subscription.apiVersionId) ?? { key, environments: new Set<string>() };
      entry.environments.add(subscription.environment);
      environments.set(subscription.apiVersionId, entry);
    }
    const notExported = new Set(
      subscribed
        .filter((row) => !exported.has(row.apiVersionId))
        .map((row) => versionOf.get(row.apiVersionId) as string),
    );
    for (const version of [...notExported].sort(byText)) {
      skipped.push(`subscription ${of} to ${version}: its API version is not exported`);
    }
    const subscriptionEntries = [...environments.values()]
      .sort((a, b) => byText(a.key.domain, b.key.domain) || versionNumber(a.key.version) - versionNumber(b.key.version))
      .map(({ key, environments: held }) => ({
        api: key.domain,
        version: key.version,
        environments: ENVIRONMENTS.filter((environment) => held.has(environment)),
      }));

    const entry: RawConsumer = {
      id: consumer.id,
      name: consumer.name,
      ...(consumer.organisation !== null && { organisation: consumer.organisation }),
      status: consumer.status,
      credentials: credentialEntries,
      certificates: certificateEntries,
      ...(limits && { limits }),
      subscriptions: subscriptionEntries,
    };
    const refusal = await refusalOf({ format_version: '1', consumers: [entry] });
    if (refusal) {
      skipped.push(`consumer ${consumer.id}: the format refuses it (${refusal})`);
      continue;
    }
    entries.push(entry);
  }
  return entries;
}

async function exportAdmins(
  rows: Rows,
  consumerClientIds: ReadonlySet<string>,
  skipped: string[],
): Promise<RawAdmin[]> {
  const entries: RawAdmin[] = [];
  for (const admin of [...rows.admins].sort((a, b) => byText(a.clientId, b.clientId))) {
    const what = `admin client ${admin.clientId}`;
    if (admin.status !== 'active') {
      skipped.push(`${what}: revoked, and the format would make it usable again`);
      continue;
    }
    if (consumerClientIds.has(admin.clientId)) {
      skipped.push(`${what}: a consumer credential has the same client_id, which the format refuses`);
      continue;
    }
    const entry: RawAdmin = {
      client_id: admin.clientId,
      client_secret_hash: admin.secretHash,
      roles: [...admin.roles],
      ...(admin.name !== null && { name: admin.name }),
      ...(admin.organisation !== null && { organisation: admin.organisation }),
    };
    const refusal = await refusalOf({ format_version: '1', admins: [entry] });
    if (refusal) {
      skipped.push(`${what}: the format refuses it (${refusal})`);
      continue;
    }
    entries.push(entry);
  }
  return entries;
}

/**
 * Why loadDeclarativeFile would refuse a file made of this one entry (schema, OpenAPI 3.0.x,
 * certificate parsing), as "field: message; …" without the entry's own path; undefined when it loads.
 */
async function refusalOf(document: RawDeclarativeConfig): Promise<string | undefined> {
  try {
    await parseDeclarativeConfig(document, { source: 'registry', baseDir: resolve('.') });
    return undefined;
  } catch (error) {
    if (!(error instanceof DeclarativeConfigError)) throw error;
    return error.problems
      .map(({ path, message }) => `${path.replace(/^\w+\[0\]\.?/, '') || 'entry'}: ${message}`)
      .join('; ');
  }
}

function byConsumer<Row extends { readonly consumerId: string }>(rows: readonly Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const group = groups.get(row.consumerId);
    if (group) group.push(row);
    else groups.set(row.consumerId, [row]);
  }
  return groups;
}

/** Code-unit order: the same whatever the database's collation. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
