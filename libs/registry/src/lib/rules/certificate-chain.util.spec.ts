import { createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  certificateValidity,
  type ChainVerification,
  expiresWithin,
  parsePemBundle,
  verifyCertificateChain,
} from './certificate-chain.util';

// Regenerate with libs/registry/test/fixtures/pki/generate.sh.
const PKI = join(__dirname, '../../../test/fixtures/pki');
const DAY_MS = 86_400_000;

const pem = (name: string) => readFileSync(join(PKI, name), 'utf8');
const certificate = (name: string) => parsePemBundle(pem(name))[0];
const toPem = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
const commonName = (cert: X509Certificate) => /CN=(.*)/.exec(cert.subject)?.[1];

const root = certificate('root-ca.pem');
const intermediate = certificate('intermediate-ca.pem');
const otherRoot = certificate('other-root-ca.pem');
const [leafRsa] = parsePemBundle(pem('leaf-rsa.pem'));
const leafEc = certificate('leaf-ec.pem');
const FIXTURES = [
  'root-ca.pem',
  'intermediate-ca.pem',
  'leaf-rsa.pem',
  'leaf-ec.pem',
  'other-root-ca.pem',
  'leaf-other.pem',
  'self-signed.pem',
  'not-a-ca-issuer.pem',
  'issued-by-leaf.pem',
];
// A day into the fixtures' validity, whenever they were generated: the clock never decides.
const now = new Date(
  Math.max(...FIXTURES.flatMap((name) => parsePemBundle(pem(name)).map((c) => Date.parse(c.validFrom)))) + DAY_MS,
);

function refusal(result: ChainVerification): { reason: string; detail: string } {
  if (result.ok) throw new Error('expected a refusal, the chain verified');
  return { reason: result.reason, detail: result.detail };
}

describe('parsePemBundle', () => {
  it('reads every certificate of a bundle in order', () => {
    expect(parsePemBundle(pem('leaf-rsa.pem')).map(commonName)).toEqual(['tu-ha-noi-dvc', 'LGSP Test Intermediate CA']);
  });

  it('ignores the comments and other blocks around the certificates, and CRLF line ends', () => {
    const bundle =
      '# Trust anchors for LGSP\nsubject=CN = LGSP Test Root CA\n' +
      pem('root-ca.pem').replace(/\n/g, '\r\n') +
      '\n' +
      pem('leaf-ec.key.pem') +
      pem('other-root-ca.pem');
    expect(parsePemBundle(bundle).map((c) => c.fingerprint256)).toEqual([
      root.fingerprint256,
      otherRoot.fingerprint256,
    ]);
  });

  it.each([
    ['an empty text', '', 'The PEM text holds no CERTIFICATE block'],
    ['a private key alone', pem('leaf-ec.key.pem'), 'The PEM text holds no CERTIFICATE block'],
    [
      'a truncated bundle',
      pem('root-ca.pem') + pem('other-root-ca.pem').replace('-----END CERTIFICATE-----', ''),
      'The PEM text has a BEGIN CERTIFICATE line without its END line',
    ],
    [
      'a block whose END line is missing before the next block',
      pem('root-ca.pem').replace('-----END CERTIFICATE-----', '') + pem('other-root-ca.pem'),
      'The PEM text has a BEGIN CERTIFICATE line without its END line',
    ],
    [
      'a block that is not base64',
      pem('root-ca.pem').replace(/\n(.)/, '\n!$1'),
      'Certificate 1 of the PEM text is not valid base64',
    ],
    [
      'base64 that is not a certificate',
      toPem(Buffer.from('definitely not DER')),
      'Certificate 1 of the PEM text is not an X.509 certificate',
    ],
    [
      'a certificate followed by stray bytes',
      pem('root-ca.pem') + toPem(Buffer.concat([leafEc.raw, Buffer.from([0, 0])])),
      'Certificate 2 of the PEM text has trailing bytes after the certificate',
    ],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parsePemBundle(text)).toThrow(message);
  });
});

describe('verifyCertificateChain', () => {
  it('builds leaf → intermediate → root from the intermediates sent with the leaf', () => {
    const result = verifyCertificateChain(pem('leaf-rsa.pem'), [root], now);
    expect(result.ok && result.chain.map((c) => c.fingerprint256)).toEqual(
      [leafRsa, intermediate, root].map((c) => c.fingerprint256),
    );
  });

  it('uses intermediates given apart from the leaf', () => {
    const result = verifyCertificateChain(leafRsa.toString(), [root], now, [intermediate]);
    expect(result.ok && result.chain.map(commonName)).toEqual([
      'tu-ha-noi-dvc',
      'LGSP Test Intermediate CA',
      'LGSP Test Root CA',
    ]);
  });

  it('accepts an EC leaf issued by the root itself, among several anchors', () => {
    const result = verifyCertificateChain(pem('leaf-ec.pem'), [otherRoot, root], now);
    expect(result.ok && result.chain.map(commonName)).toEqual(['bnv-hrm', 'LGSP Test Root CA']);
  });

  it('accepts a certificate that is itself an anchor, CA or not', () => {
    const result = verifyCertificateChain(pem('root-ca.pem'), [root], now);
    expect(result.ok && result.chain.map((c) => c.fingerprint256)).toEqual([root.fingerprint256]);
    expect(verifyCertificateChain(pem('self-signed.pem'), [certificate('self-signed.pem')], now).ok).toBe(true);
  });

  it('accepts a leaf that is a CA when its issuer is one too', () => {
    const result = verifyCertificateChain(intermediate.toString(), [root], now);
    expect(result.ok && result.chain.map(commonName)).toEqual(['LGSP Test Intermediate CA', 'LGSP Test Root CA']);
  });

  describe('untrusted', () => {
    it('refuses a leaf of another root, and accepts it when that root is an anchor', () => {
      expect(refusal(verifyCertificateChain(pem('leaf-other.pem'), [root], now))).toEqual({
        reason: 'untrusted',
        detail:
          "Certificate 'C=VN, O=Untrusted unit (test), CN=leaf-other' is issued by " +
          "'C=VN, O=Untrusted CA (test), CN=Other Test Root CA', " +
          'which is neither a trust anchor nor a presented intermediate',
      });
      expect(verifyCertificateChain(pem('leaf-other.pem'), [otherRoot], now).ok).toBe(true);
    });

    it('refuses a leaf sent without its intermediate', () => {
      const result = refusal(verifyCertificateChain(leafRsa.toString(), [root], now));
      expect(result.reason).toBe('untrusted');
      expect(result.detail).toContain("'C=VN, O=Ban Co yeu Chinh phu (test), CN=LGSP Test Intermediate CA'");
    });

    it('refuses a self-signed leaf', () => {
      expect(refusal(verifyCertificateChain(pem('self-signed.pem'), [root], now))).toEqual({
        reason: 'untrusted',
        detail:
          "Certificate 'C=VN, O=Self-signing unit (test), CN=self-signed' is self-signed and is not a trust anchor",
      });
    });

    it('refuses a path that ends at a root which is not an anchor', () => {
      const result = refusal(verifyCertificateChain(pem('leaf-other.pem'), [root], now, [otherRoot]));
      expect(result.reason).toBe('untrusted');
      expect(result.detail).toMatch(/Other Test Root CA' is self-signed and is not a trust anchor$/);
    });
  });

  describe('not-a-ca', () => {
    it('refuses a leaf issued by a certificate with CA:FALSE', () => {
      expect(refusal(verifyCertificateChain(pem('not-a-ca-issuer.pem'), [root], now))).toEqual({
        reason: 'not-a-ca',
        detail:
          "Certificate 'C=VN, O=Bo Noi vu (test), CN=issued-by-not-a-ca' is issued by " +
          "certificate 'C=VN, O=Bo Noi vu (test), CN=not-a-ca', which is not a CA",
      });
    });

    it('refuses a leaf issued with a signing certificate whose key usage forbids it', () => {
      const result = refusal(verifyCertificateChain(pem('issued-by-leaf.pem'), [root], now));
      expect(result.reason).toBe('not-a-ca');
      expect(result.detail).toMatch(/CN=bnv-hrm', whose key usage does not allow signing certificates$/);
    });
  });

  describe('bad-signature', () => {
    const tampered = (cert: X509Certificate) => {
      const der = Buffer.from(cert.raw);
      der[der.length - 1] ^= 0x01;
      return toPem(der);
    };

    it("refuses a leaf whose signature does not verify with its issuer's key", () => {
      expect(refusal(verifyCertificateChain(tampered(leafEc), [root], now))).toEqual({
        reason: 'bad-signature',
        detail:
          "The signature of certificate 'C=VN, O=Bo Noi vu (test), CN=bnv-hrm' does not verify with the key of " +
          "certificate 'C=VN, O=Ban Co yeu Chinh phu (test), CN=LGSP Test Root CA'",
      });
    });

    it('refuses a path whose intermediate was tampered with', () => {
      const result = refusal(verifyCertificateChain(leafRsa.toString() + tampered(intermediate), [root], now));
      expect(result.reason).toBe('bad-signature');
      expect(result.detail).toMatch(/^The signature of certificate '.*CN=LGSP Test Intermediate CA'/);
    });
  });

  describe('validity at now', () => {
    const { notBefore, notAfter } = certificateValidity(leafEc);

    it('accepts both bounds, which RFC 5280 makes inclusive, and not a millisecond beyond', () => {
      const bounds = certificateValidity(root);
      const at = (time: number) => verifyCertificateChain(pem('root-ca.pem'), [root], new Date(time));
      expect(at(bounds.notBefore.getTime()).ok).toBe(true);
      expect(at(bounds.notAfter.getTime()).ok).toBe(true);
      expect(refusal(at(bounds.notBefore.getTime() - 1)).reason).toBe('not-yet-valid');
      expect(refusal(at(bounds.notAfter.getTime() + 1)).reason).toBe('expired');
    });

    it('refuses an expired leaf', () => {
      const result = refusal(verifyCertificateChain(pem('leaf-ec.pem'), [root], new Date(notAfter.getTime() + 1000)));
      expect(result).toEqual({
        reason: 'expired',
        detail: `Certificate 'C=VN, O=Bo Noi vu (test), CN=bnv-hrm' expired at ${notAfter.toISOString()}`,
      });
    });

    it('refuses a leaf not valid yet', () => {
      const result = refusal(verifyCertificateChain(pem('leaf-ec.pem'), [root], new Date(notBefore.getTime() - 1000)));
      expect(result).toEqual({
        reason: 'not-yet-valid',
        detail: `Certificate 'C=VN, O=Bo Noi vu (test), CN=bnv-hrm' is not valid before ${notBefore.toISOString()}`,
      });
    });

    it('refuses a path whose intermediate has expired under a valid leaf', () => {
      // generate.sh makes the leaves outlive their CAs by a second.
      const intermediateEnd = certificateValidity(intermediate).notAfter;
      const at = new Date(intermediateEnd.getTime() + 1000);
      expect(certificateValidity(leafRsa).notAfter.getTime()).toBeGreaterThanOrEqual(at.getTime());
      expect(refusal(verifyCertificateChain(pem('leaf-rsa.pem'), [root], at))).toEqual({
        reason: 'expired',
        detail:
          "Certificate 'C=VN, O=Ban Co yeu Chinh phu (test), CN=LGSP Test Intermediate CA' " +
          `expired at ${intermediateEnd.toISOString()}`,
      });
    });

    it('refuses a path whose anchor has expired', () => {
      const rootEnd = certificateValidity(root).notAfter;
      const at = new Date(rootEnd.getTime() + 1000);
      expect(certificateValidity(leafEc).notAfter.getTime()).toBeGreaterThanOrEqual(at.getTime());
      const result = refusal(verifyCertificateChain(pem('leaf-ec.pem'), [root], at));
      expect(result.reason).toBe('expired');
      expect(result.detail).toMatch(/^Certificate '.*CN=LGSP Test Root CA' expired at /);
    });
  });

  it.each([
    ['empty text', ''],
    ['a private key', pem('leaf-rsa.key.pem')],
    ['garbage', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
  ])('answers malformed for %s', (_name, text) => {
    expect(refusal(verifyCertificateChain(text, [root], now)).reason).toBe('malformed');
  });

  it('refuses an invalid now rather than skip the validity checks', () => {
    expect(() => verifyCertificateChain(pem('leaf-ec.pem'), [root], new Date('nope'))).toThrow(RangeError);
  });
});

describe('fixture keys', () => {
  it.each([
    ['leaf-rsa.pem', 'leaf-rsa.key.pem'],
    ['leaf-ec.pem', 'leaf-ec.key.pem'],
    ['leaf-other.pem', 'leaf-other.key.pem'],
    ['self-signed.pem', 'self-signed.key.pem'],
    ['not-a-ca-issuer.pem', 'not-a-ca-issuer.key.pem'],
    ['root-ca.pem', 'root-ca.key.pem'],
    ['intermediate-ca.pem', 'intermediate-ca.key.pem'],
    ['other-root-ca.pem', 'other-root-ca.key.pem'],
  ])('%s matches %s and its signatures verify', (certName, keyName) => {
    const cert = certificate(certName);
    const key = createPrivateKey(pem(keyName));
    const data = Buffer.from('GET /v1/ho-tich/khai-sinh');
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(verify('sha256', data, cert.publicKey, sign('sha256', data, key))).toBe(true);
  });

  it('are valid 20 years (7300 days) from generation', () => {
    const { notBefore, notAfter } = certificateValidity(leafRsa);
    expect(notAfter.getTime() - notBefore.getTime()).toBe(7300 * DAY_MS);
  });
});

describe('expiresWithin', () => {
  const at = new Date('2026-11-23T00:00:00Z');

  it('is true up to and including `days` days before notAfter', () => {
    expect(expiresWithin(new Date('2026-12-23T00:00:00Z'), at, 30)).toBe(true);
    expect(expiresWithin(new Date('2026-12-23T00:00:00.001Z'), at, 30)).toBe(false);
    expect(expiresWithin(new Date('2026-12-23T00:00:00Z'), at, 29)).toBe(false);
  });

  it('is true once notAfter has passed, so an expired certificate is still reported', () => {
    expect(expiresWithin(new Date('2026-11-01T00:00:00Z'), at, 30)).toBe(true);
    expect(expiresWithin(at, at, 0)).toBe(true);
  });

  it('works with the validity of a real certificate', () => {
    const { notAfter } = certificateValidity(leafEc);
    expect(expiresWithin(notAfter, now, 30)).toBe(false);
    expect(expiresWithin(notAfter, new Date(notAfter.getTime() - 30 * DAY_MS), 30)).toBe(true);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p days', (days) => {
    expect(() => expiresWithin(at, at, days)).toThrow(RangeError);
  });

  it('refuses invalid dates', () => {
    expect(() => expiresWithin(new Date('nope'), at, 30)).toThrow(RangeError);
  });
});
