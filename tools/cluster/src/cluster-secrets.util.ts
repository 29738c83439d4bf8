import { mkdir } from 'node:fs/promises';

import { ensureDataDirSecret } from '@lgsp/config';
import { loadBackendJwtKey } from '@lgsp/gateway-core';
import { loadPlatformSigningKey } from '@lgsp/signature';

/** What every process of the cluster must share, kept in the cluster dir and reused on the next run. */
export interface ClusterSecrets {
  /** LGSP_SECRET_PEPPER */
  readonly pepper: string;
  /** LGSP_KEY_ENCRYPTION_KEY */
  readonly keyEncryptionKey: string;
  /** LGSP_SIGNING_KEY: the platform key (gateways sign responses, the ledger signs chain heads). */
  readonly signingKeyFile: string;
  /** LGSP_BACKEND_JWT_KEY: every gateway signs the backend JWT with it. */
  readonly backendJwtKeyFile: string;
}

export const SECRET_FILES = {
  pepper: 'secret-pepper',
  keyEncryptionKey: 'key-encryption-key',
} as const;

/**
 * The pepper, the key-encryption key and the two P-256 keys, generated into `dir` (0700, files
 * 0600) on the first run. They must outlive the cluster with its database: a database restored
 * without the pepper and the key-encryption key it was written with verifies no client secret and
 * decrypts no signing key.
 */
export async function ensureClusterSecrets(dir: string): Promise<ClusterSecrets> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The services' own loaders generate each key once into the dir (0600) and reuse it after.
  const [pepper, keyEncryptionKey, signingKey, backendJwtKey] = await Promise.all([
    ensureDataDirSecret(dir, SECRET_FILES.pepper),
    ensureDataDirSecret(dir, SECRET_FILES.keyEncryptionKey),
    loadPlatformSigningKey({ dataDir: dir }),
    loadBackendJwtKey({ dataDir: dir }),
  ]);
  return { pepper, keyEncryptionKey, signingKeyFile: signingKey.file, backendJwtKeyFile: backendJwtKey.file };
}
