import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { BACKEND_JWT_ALG } from '@lgsp/contracts';
import { calculateJwkThumbprint } from 'jose';
import type { JWK } from 'jose';

export const GENERATED_BACKEND_JWT_KEY_FILE = 'backend-jwt-key.pem';

export interface BackendJwtKey {
  readonly privateKey: KeyObject;
  /** The public key as published: kty, crv, x, y, kid, alg, use. */
  readonly publicJwk: JWK & { readonly kid: string };
  /** Where the key was read from. */
  readonly file: string;
  /** Whether this start generated it (no LGSP_BACKEND_JWT_KEY, no key in the data dir yet). */
  readonly generated: boolean;
}

export class BackendJwtKeyError extends Error {
  override readonly name = 'BackendJwtKeyError';
}

const PKCS8_PEM = /-----BEGIN PRIVATE KEY-----/;

/** A PKCS#8 PEM of an EC P-256 private key, or an error naming the file and what is wrong with it. */
export async function backendJwtKeyOf(pem: string, file: string, generated: boolean): Promise<BackendJwtKey> {
  if (!PKCS8_PEM.test(pem)) throw new BackendJwtKeyError(`LGSP_BACKEND_JWT_KEY: ${file} is not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new BackendJwtKeyError(`LGSP_BACKEND_JWT_KEY: ${file} could not be read as a private key (${(error as Error).message})`);
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new BackendJwtKeyError(`LGSP_BACKEND_JWT_KEY: ${file} must hold an EC P-256 key (ES256), not ${privateKey.asymmetricKeyType} ${privateKey.asymmetricKeyDetails?.namedCurve ?? ''}`.trim());
  }
  const { kty, crv, x, y } = createPublicKey(privateKey).export({ format: 'jwk' });
  const bare = { kty, crv, x, y } as JWK;
  // The RFC 7638 thumbprint: the same key gives the same kid on every replica.
  const kid = await calculateJwkThumbprint(bare, 'sha256');
  return { privateKey, publicJwk: { ...bare, kid, alg: BACKEND_JWT_ALG, use: 'sig' }, file, generated };
}

/**
 * The backend JWT's signing key: LGSP_BACKEND_JWT_KEY when set (every replica shares it), else
 * generated once into the data dir (0600) and reused on every start, as the other embedded-default
 * secrets are.
 */
export async function loadBackendJwtKey(options: { readonly keyFile?: string; readonly dataDir: string }): Promise<BackendJwtKey> {
  if (options.keyFile !== undefined) {
    let pem: string;
    try {
      pem = await readFile(options.keyFile, 'utf8');
    } catch (error) {
      throw new BackendJwtKeyError(`LGSP_BACKEND_JWT_KEY: ${options.keyFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    return backendJwtKeyOf(pem, options.keyFile, false);
  }
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const file = join(options.dataDir, GENERATED_BACKEND_JWT_KEY_FILE);
  const existing = await readIfPresent(file);
  if (existing !== undefined) return backendJwtKeyOf(existing, file, false);
  const { privateKey } = await promisify(generateKeyPair)('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  try {
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process sharing the data dir wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return backendJwtKeyOf(await readFile(file, 'utf8'), file, false);
    throw error;
  }
  return backendJwtKeyOf(pem, file, true);
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
