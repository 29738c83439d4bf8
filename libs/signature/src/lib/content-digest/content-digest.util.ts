import { createHash, timingSafeEqual } from 'node:crypto';

import { type Dictionary, parseDictionary, serializeDictionary } from 'structured-headers';

/** The active algorithms of the Hash Algorithms for HTTP Digest Fields registry (RFC 9530 §7.2). */
export const DIGEST_ALGORITHMS = ['sha-256', 'sha-512'] as const;

export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

const HASHES: Readonly<Record<DigestAlgorithm, string>> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

export type ContentDigestVerification =
  | {
      readonly ok: true;
      /** The base64 digest of each algorithm checked. */
      readonly digests: Readonly<Partial<Record<DigestAlgorithm, string>>>;
    }
  | { readonly ok: false; readonly reason: 'malformed' | 'unsupported' | 'mismatch'; readonly detail: string };

/** The Content-Digest field value for `body` (RFC 9530 §2): `sha-256=:base64:`. */
export function contentDigest(body: Uint8Array, alg: DigestAlgorithm = 'sha-256'): string {
  return serializeDictionary(new Map([[alg, [digest(body, alg), new Map()]]]));
}

/**
 * Checks a Content-Digest field against the content received. Members of algorithms outside
 * DIGEST_ALGORITHMS (the deprecated md5, sha, unixsum, ..., and unknown ones) are ignored; at least
 * one known algorithm must be present, and every known one must match.
 */
export function verifyContentDigest(header: string, body: Uint8Array): ContentDigestVerification {
  let members: Dictionary;
  try {
    members = parseDictionary(header);
  } catch (error) {
    return { ok: false, reason: 'malformed', detail: `Content-Digest is not a structured dictionary: ${(error as Error).message}` };
  }
  const digests: Partial<Record<DigestAlgorithm, string>> = {};
  for (const [name, member] of members) {
    const [value] = member;
    if (!(value instanceof ArrayBuffer)) return { ok: false, reason: 'malformed', detail: `The Content-Digest member ${name} is not a byte sequence` };
    if (!isDigestAlgorithm(name)) continue;
    const received = Buffer.from(value);
    const expected = digest(body, name);
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      return { ok: false, reason: 'mismatch', detail: `The ${name} Content-Digest does not match the content received` };
    }
    digests[name] = expected.toString('base64');
  }
  if (Object.keys(digests).length === 0) {
    const names = [...members.keys()];
    return {
      ok: false,
      reason: 'unsupported',
      detail: `Content-Digest has no ${DIGEST_ALGORITHMS.join(' or ')} member${names.length === 0 ? '' : ` (it has ${names.join(', ')})`}`,
    };
  }
  return { ok: true, digests };
}

export function isDigestAlgorithm(name: string): name is DigestAlgorithm {
  return (DIGEST_ALGORITHMS as readonly string[]).includes(name);
}

function digest(body: Uint8Array, alg: DigestAlgorithm): Buffer {
  return createHash(HASHES[alg]).update(body).digest();
}
