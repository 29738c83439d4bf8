import { X509Certificate } from 'node:crypto';

export type ChainFailureReason = 'malformed' | 'not-yet-valid' | 'expired' | 'untrusted' | 'not-a-ca' | 'bad-signature';

export type ChainVerification =
  | { ok: true; chain: X509Certificate[] /* leaf..anchor */ }
  | { ok: false; reason: ChainFailureReason; detail: string };

/** Certificates from leaf to anchor inclusive; the Government Cipher Committee's hierarchy is far shallower. */
export const MAX_CHAIN_LENGTH = 5;

const DAY_MS = 86_400_000;
const BEGIN_CERTIFICATE = '-----BEGIN CERTIFICATE-----';
const END_CERTIFICATE = '-----END CERTIFICATE-----';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Every CERTIFICATE block of a PEM text, in order. Text around the blocks (the comments and other
 * blocks CA bundles carry) is ignored; a damaged certificate block is an error, never skipped, so
 * a truncated trust-anchor file cannot silently drop an anchor.
 */
export function parsePemBundle(text: string): X509Certificate[] {
  const bodies = certificateBlocks(text);
  if (bodies.length === 0) throw new Error('The PEM text holds no CERTIFICATE block');
  return bodies.map((body, index) => {
    const which = `Certificate ${index + 1} of the PEM text`;
    if (body.length % 4 !== 0 || !BASE64.test(body)) throw new Error(`${which} is not valid base64`);
    const der = Buffer.from(body, 'base64');
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(der);
    } catch (error) {
      throw new Error(`${which} is not an X.509 certificate: ${(error as Error).message}`, { cause: error });
    }
    if (!certificate.raw.equals(der)) throw new Error(`${which} has trailing bytes after the certificate`);
    return certificate;
  });
}

/** The base64 of each CERTIFICATE block, found in one linear pass: the text comes from uploads. */
function certificateBlocks(text: string): string[] {
  const bodies: string[] = [];
  for (let from = 0; ; ) {
    const begin = text.indexOf(BEGIN_CERTIFICATE, from);
    if (begin === -1) return bodies;
    const start = begin + BEGIN_CERTIFICATE.length;
    const end = text.indexOf(END_CERTIFICATE, start);
    const body = end === -1 ? undefined : text.slice(start, end);
    if (body === undefined || body.includes(BEGIN_CERTIFICATE)) {
      throw new Error('The PEM text has a BEGIN CERTIFICATE line without its END line');
    }
    bodies.push(body.replace(/\s+/g, ''));
    from = end + END_CERTIFICATE.length;
  }
}

/**
 * Builds and checks the path from a signing certificate to one of the trust anchors. `leafPem` may
 * carry the intermediates after the leaf, as agencies usually send them. Every certificate on the
 * path must be valid at `now`; every issuer must be a CA. The leaf itself may be a CA: some agencies'
 * signing profiles set CA:TRUE, and that does not weaken the path.
 */
export function verifyCertificateChain(
  leafPem: string,
  anchors: readonly X509Certificate[],
  now: Date,
  intermediates: readonly X509Certificate[] = [],
): ChainVerification {
  if (Number.isNaN(now.getTime())) throw new RangeError('now is an invalid date');
  let presented: X509Certificate[];
  try {
    presented = parsePemBundle(leafPem);
  } catch (error) {
    return refuse('malformed', (error as Error).message);
  }

  const [leaf, ...bundled] = presented;
  const anchorFingerprints = new Set(anchors.map((anchor) => anchor.fingerprint256));
  // Anchors first, so a path ends at an anchor as soon as it can.
  const candidates = [...anchors, ...bundled, ...intermediates];
  const chain = [leaf];

  for (let certificate = leaf; ; ) {
    const invalid = checkValidity(certificate, now);
    if (invalid) return invalid;
    if (anchorFingerprints.has(certificate.fingerprint256)) return { ok: true, chain };
    if (chain.length === MAX_CHAIN_LENGTH) {
      return refuse('untrusted', `No trust anchor within ${MAX_CHAIN_LENGTH} certificates of the leaf`);
    }

    const unused = candidates.filter(
      (candidate) => !chain.some((link) => link.fingerprint256 === candidate.fingerprint256),
    );
    const named = unused.filter((candidate) => certificate.checkIssued(candidate));
    if (named.length === 0) return refuse(...untrusted(certificate, unused));
    const signers = named.filter((candidate) => verifies(certificate, candidate));
    if (signers.length === 0) {
      return refuse(
        'bad-signature',
        `The signature of ${describe(certificate)} does not verify with the key of ${describe(named[0])}`,
      );
    }
    const issuer = signers.find((signer) => signer.ca) ?? signers[0];
    if (!issuer.ca) {
      return refuse('not-a-ca', `${capitalised(certificate)} is issued by ${describe(issuer)}, which is not a CA`);
    }
    chain.push(issuer);
    certificate = issuer;
  }
}

/** The validity period of a certificate as dates (Node 20's X509Certificate gives only strings). */
export function certificateValidity(certificate: X509Certificate): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(certificate.validFrom), notAfter: new Date(certificate.validTo) };
}

/** True when `notAfter` is at most `days` days away, or already past: time to remind the owner to renew. */
export function expiresWithin(notAfter: Date, now: Date, days: number): boolean {
  if (Number.isNaN(notAfter.getTime()) || Number.isNaN(now.getTime())) throw new RangeError('Invalid date');
  if (!Number.isFinite(days) || days < 0) throw new RangeError(`days must be a non-negative number, got ${days}`);
  return notAfter.getTime() - now.getTime() <= days * DAY_MS;
}

function checkValidity(certificate: X509Certificate, now: Date): ChainVerification | undefined {
  const { notBefore, notAfter } = certificateValidity(certificate);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    return refuse('malformed', `${capitalised(certificate)} has an unreadable validity period`);
  }
  // RFC 5280 §4.1.2.5: both bounds are inclusive.
  if (now < notBefore) {
    return refuse('not-yet-valid', `${capitalised(certificate)} is not valid before ${notBefore.toISOString()}`);
  }
  if (now > notAfter) return refuse('expired', `${capitalised(certificate)} expired at ${notAfter.toISOString()}`);
  return undefined;
}

function verifies(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Why no issuer was found. OpenSSL's issuer match also refuses a certificate whose key usage lacks
 * keyCertSign; when such a presented certificate did sign, say it is not a CA rather than unknown.
 */
function untrusted(certificate: X509Certificate, candidates: readonly X509Certificate[]): [ChainFailureReason, string] {
  if (certificate.subject === certificate.issuer && verifies(certificate, certificate)) {
    return ['untrusted', `${capitalised(certificate)} is self-signed and is not a trust anchor`];
  }
  const signer = candidates.find((other) => other.subject === certificate.issuer && verifies(certificate, other));
  if (signer) {
    return [
      'not-a-ca',
      `${capitalised(certificate)} is issued by ${describe(signer)}, ` +
        'whose key usage does not allow signing certificates',
    ];
  }
  return [
    'untrusted',
    `${capitalised(certificate)} is issued by ${oneLine(certificate.issuer)}, ` +
      'which is neither a trust anchor nor a presented intermediate',
  ];
}

function refuse(reason: ChainFailureReason, detail: string): ChainVerification {
  return { ok: false, reason, detail };
}

function describe(certificate: X509Certificate): string {
  return `certificate ${oneLine(certificate.subject)}`;
}

function capitalised(certificate: X509Certificate): string {
  return `Certificate ${oneLine(certificate.subject)}`;
}

function oneLine(name: string): string {
  return `'${name.split('\n').join(', ')}'`;
}
