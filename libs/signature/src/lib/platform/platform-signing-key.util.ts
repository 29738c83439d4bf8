import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { calculateJwkThumbprint } from 'jose';
import type { JSONWebKeySet, JWK } from 'jose';

import { algorithmForKey } from '../profile/certificate-key.util';
import type { SignatureAlgorithm } from '../rfc9421/signature-algorithm.util';

export const GENERATED_SIGNING_KEY_FILE = 'platform-signing-key.pem';

/** Where the platform's response-signing keys are published (JWKS; keyid = kid). */
export const SIGNING_KEYS_PATH = '/.well-known/lgsp-signing-keys';

export class PlatformSigningKeyError extends Error {
  override readonly name = 'PlatformSigningKeyError';
}

export interface PlatformSigningKey {
  /** The RFC 7638 thumbprint of the public key: the same key gives the same keyid on every replica. */
  readonly keyid: string;
  readonly privateKey: KeyObject;
  readonly alg: SignatureAlgorithm;
  /** The public key as published, with x5c when a certificate is configured. */
  readonly jwks: JSONWebKeySet;
  readonly file: string;
  readonly generated: boolean;
}

async function read(file: string, variable: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new PlatformSigningKeyError(`${variable}: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

export async function platformSigningKeyOf(pem: string, file: string, generated: boolean, certificatePem?: string): Promise<PlatformSigningKey> {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new PlatformSigningKeyError(`LGSP_SIGNING_KEY: ${file} could not be read as a private key (${(error as Error).message})`);
  }
  const alg = algorithmForKey(privateKey, undefined);
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  const accepted = (privateKey.asymmetricKeyType === 'ec' && curve === 'prime256v1') || (privateKey.asymmetricKeyType === 'rsa' && (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048);
  if (alg === undefined || !accepted) {
    throw new PlatformSigningKeyError(`LGSP_SIGNING_KEY: ${file} must hold an EC P-256 key or an RSA key of 2048 bits or more`);
  }
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  const published: JWK = { ...jwk, kid, alg, use: 'sig' };
  if (certificatePem !== undefined) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(certificatePem);
    } catch (error) {
      throw new PlatformSigningKeyError(`LGSP_SIGNING_CERT: not a PEM X.509 certificate (${(error as Error).message})`);
    }
    if (!certificate.checkPrivateKey(privateKey)) throw new PlatformSigningKeyError('LGSP_SIGNING_CERT: the certificate is not that of LGSP_SIGNING_KEY');
    published.x5c = [certificate.raw.toString('base64')];
  }
  return { keyid: kid, privateKey, alg, jwks: { keys: [published] }, file, generated };
}

/**
 * The key the platform signs responses (gateway) and ledger chain heads with: LGSP_SIGNING_KEY (and LGSP_SIGNING_CERT) when set, else
 * an EC P-256 key generated once into the data dir (0600). Node cannot issue an X.509 certificate
 * without a library, so a generated key is published as a bare JWK.
 */
export async function loadPlatformSigningKey(options: { readonly keyFile?: string; readonly certFile?: string; readonly dataDir: string }): Promise<PlatformSigningKey> {
  const certificatePem = options.certFile === undefined ? undefined : await read(options.certFile, 'LGSP_SIGNING_CERT');
  if (options.keyFile !== undefined) return platformSigningKeyOf(await read(options.keyFile, 'LGSP_SIGNING_KEY'), options.keyFile, false, certificatePem);
  const file = join(options.dataDir, GENERATED_SIGNING_KEY_FILE);
  try {
    return await platformSigningKeyOf(await readFile(file, 'utf8'), file, false, certificatePem);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = await promisify(generateKeyPair)('ec', { namedCurve: 'prime256v1' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  await mkdir(options.dataDir, { recursive: true });
  try {
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process of the same data dir generated it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return platformSigningKeyOf(await readFile(file, 'utf8'), file, false, certificatePem);
  }
  return platformSigningKeyOf(pem, file, true, certificatePem);
}
