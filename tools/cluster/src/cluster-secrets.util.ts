import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ensureDataDirSecret } from '@lgsp/config';

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
  signingKey: 'platform-signing-key.pem',
  backendJwtKey: 'backend-jwt-key.pem',
} as const;

/** An EC P-256 private key (PKCS#8 PEM, 0600) generated once into the file, then reused. */
async function ensureP256Key(file: string): Promise<void> {
  try {
    if ((await readFile(file, 'utf8')).includes('PRIVATE KEY')) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
}

/**
 * The pepper, the key-encryption key and the two P-256 keys, generated into `dir` (0700, files
 * 0600) on the first run. They must outlive the cluster with its database: a database restored
 * without the pepper and the key-encryption key it was written with verifies no client secret and
 * decrypts no signing key.
 */
export async function ensureClusterSecrets(dir: string): Promise<ClusterSecrets> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const signingKeyFile = join(dir, SECRET_FILES.signingKey);
  const backendJwtKeyFile = join(dir, SECRET_FILES.backendJwtKey);
  const [pepper, keyEncryptionKey] = await Promise.all([ensureDataDirSecret(dir, SECRET_FILES.pepper), ensureDataDirSecret(dir, SECRET_FILES.keyEncryptionKey)]);
  await Promise.all([ensureP256Key(signingKeyFile), ensureP256Key(backendJwtKeyFile)]);
  return { pepper, keyEncryptionKey, signingKeyFile, backendJwtKeyFile };
}
