import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { LgspConfig } from './lgsp-config';

/**
 * A secret that the embedded default generates once into its data dir (0600) and reuses on every
 * start, so an `npm start` needs no setup; a cluster sets the variable instead.
 */
export async function ensureDataDirSecret(dataDir: string, name: string): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, name);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, secret + '\n', { mode: 0o600, flag: 'w' });
  return secret;
}

export async function resolveSecretPepper(config: LgspConfig): Promise<string> {
  return config.secretPepper ?? ensureDataDirSecret(config.dataDir, 'secret-pepper');
}

export async function resolveKeyEncryptionKey(config: LgspConfig): Promise<string> {
  return config.keyEncryptionKey ?? ensureDataDirSecret(config.dataDir, 'key-encryption-key');
}
