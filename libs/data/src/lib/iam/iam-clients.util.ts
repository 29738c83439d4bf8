import type { AdminRole, ConsumerStatus, Environment } from '@lgsp/contracts';
import { and, asc, eq, inArray } from 'drizzle-orm';

import type { LgspDb } from '../database/lgsp-database.type';
import { adminClients, apis, apiVersions, certificates, consumerSystems, credentials, subscriptions } from '../schema';
import type { AdminClientStatus, CertificateStatus, CredentialStatus } from '../schema/status.constant';

/** A consumer system's credential with what the token endpoint needs to decide. */
export interface ConsumerClientRecord {
  readonly clientId: string;
  readonly consumerId: string;
  readonly consumerStatus: ConsumerStatus;
  readonly environment: Environment;
  readonly status: CredentialStatus;
  readonly secretHash: string;
  readonly previousSecretHash: string | null;
  readonly previousSecretExpiresAt: Date | null;
  readonly tokenTtlSeconds: number | null;
}

export interface AdminClientRecord {
  readonly clientId: string;
  readonly roles: readonly AdminRole[];
  readonly secretHash: string;
  readonly status: AdminClientStatus;
}

export interface CertificateRecord {
  readonly id: string;
  readonly consumerId: string;
  readonly pem: string;
  readonly fingerprintSha256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly status: CertificateStatus;
}

/** One query: the credential and its consumer system's status. */
export async function findConsumerClient(db: LgspDb, clientId: string): Promise<ConsumerClientRecord | undefined> {
  const [row] = await db
    .select({
      clientId: credentials.clientId,
      consumerId: credentials.consumerId,
      consumerStatus: consumerSystems.status,
      environment: credentials.environment,
      status: credentials.status,
      secretHash: credentials.secretHash,
      previousSecretHash: credentials.previousSecretHash,
      previousSecretExpiresAt: credentials.previousSecretExpiresAt,
      tokenTtlSeconds: credentials.tokenTtlSeconds,
    })
    .from(credentials)
    .innerJoin(consumerSystems, eq(credentials.consumerId, consumerSystems.id))
    .where(eq(credentials.clientId, clientId))
    .limit(1);
  return row;
}

export async function findAdminClient(db: LgspDb, clientId: string): Promise<AdminClientRecord | undefined> {
  const [row] = await db
    .select({ clientId: adminClients.clientId, roles: adminClients.roles, secretHash: adminClients.secretHash, status: adminClients.status })
    .from(adminClients)
    .where(eq(adminClients.clientId, clientId))
    .limit(1);
  return row;
}

export async function findCertificate(db: LgspDb, id: string): Promise<CertificateRecord | undefined> {
  const [row] = await db
    .select({
      id: certificates.id,
      consumerId: certificates.consumerId,
      pem: certificates.pem,
      fingerprintSha256: certificates.fingerprintSha256,
      notBefore: certificates.notBefore,
      notAfter: certificates.notAfter,
      status: certificates.status,
    })
    .from(certificates)
    .where(eq(certificates.id, id))
    .limit(1);
  return row;
}

/**
 * The API versions a consumer system may call in one environment, as `domain` and `version` pairs in
 * a stable order: its subscriptions there to versions that are published or deprecated.
 */
export async function listSubscribedApiVersions(
  db: LgspDb,
  consumerId: string,
  environment: Environment,
): Promise<{ domain: string; version: string }[]> {
  return db
    .select({ domain: apis.domain, version: apiVersions.version })
    .from(subscriptions)
    .innerJoin(apiVersions, eq(subscriptions.apiVersionId, apiVersions.id))
    .innerJoin(apis, eq(apiVersions.apiId, apis.id))
    .where(
      and(
        eq(subscriptions.consumerId, consumerId),
        eq(subscriptions.environment, environment),
        inArray(apiVersions.status, ['published', 'deprecated']),
      ),
    )
    .orderBy(asc(apis.domain), asc(apiVersions.version));
}
