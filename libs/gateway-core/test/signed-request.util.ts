import { execFile } from 'node:child_process';
import { createPrivateKey, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { signLgspRequest } from '@lgsp/signature';

/** The registry's test PKI (libs/registry/test/fixtures/pki): leaf certificates with their keys. */
export const PKI_DIR = join(__dirname, '..', '..', 'registry', 'test', 'fixtures', 'pki');

export interface TestSigningCertificate {
  /** The certificate (PEM) to register under a keyid. */
  readonly pem: string;
  readonly key: KeyObject;
}

/** `leaf-ec`, `leaf-rsa`, `leaf-other`, ... of the test PKI, read by path. */
export async function testCertificate(name: string): Promise<TestSigningCertificate> {
  const [pem, key] = await Promise.all([readFile(join(PKI_DIR, `${name}.pem`), 'utf8'), readFile(join(PKI_DIR, `${name}.key.pem`), 'utf8')]);
  return { pem, key: createPrivateKey(key) };
}

export interface SignedCallInit {
  readonly method: string;
  /** The absolute URL as the consumer addresses it (LGSP_PUBLIC_URL + path and query). */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly keyid: string;
  readonly key: KeyObject;
  /** The signature's `created`; now by default. */
  readonly now?: Date;
  readonly fields?: 'lgsp' | 'standard';
}

/** The headers of a signed call: the ones given, X-Request-ID (fresh unless given), Content-Digest and the signature pair. */
export async function signedHeaders(init: SignedCallInit): Promise<Record<string, string>> {
  const headers = { 'x-request-id': randomUUID(), ...init.headers };
  const signature = await signLgspRequest(
    { method: init.method, url: init.url, headers, ...(init.body !== undefined && { body: init.body }) },
    { keyid: init.keyid, key: init.key, now: init.now ?? new Date(), ...(init.fields !== undefined && { fields: init.fields }) },
  );
  return { ...headers, ...signature.headers };
}

/**
 * A CRL made as a CA makes one (`openssl ca -gencrl`, OpenSSL 3 CLI) revoking the given serials
 * (hex), in a fresh folder; `crlNumber` makes it a v2 CRL with extensions. Returns its PEM path.
 */
export async function generateCrl(dir: string, serials: readonly string[], options: { readonly crlNumber?: boolean } = {}): Promise<string> {
  const run = promisify(execFile);
  await run('openssl', ['genpkey', '-quiet', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', join(dir, 'ca.key')]);
  await run('openssl', ['req', '-x509', '-new', '-key', join(dir, 'ca.key'), '-subj', '/CN=LGSP test CRL issuer', '-days', '2', '-out', join(dir, 'ca.pem')]);
  const index = serials.map((serial) => `R\t461118021457Z\t261101000000Z\t${serial.toUpperCase()}\tunknown\t/CN=revoked ${serial}\n`).join('');
  await writeFile(join(dir, 'index.txt'), index);
  const config = ['[ca]', 'default_ca = test_ca', '[test_ca]', `database = ${join(dir, 'index.txt')}`, 'default_md = sha256', 'default_crl_days = 30'];
  if (options.crlNumber) {
    await writeFile(join(dir, 'crlnumber'), '1000\n');
    config.push(`crlnumber = ${join(dir, 'crlnumber')}`);
  }
  await writeFile(join(dir, 'ca.cnf'), `${config.join('\n')}\n`);
  const out = join(dir, 'crl.pem');
  await run('openssl', ['ca', '-config', join(dir, 'ca.cnf'), '-gencrl', '-keyfile', join(dir, 'ca.key'), '-cert', join(dir, 'ca.pem'), '-out', out]);
  return out;
}
