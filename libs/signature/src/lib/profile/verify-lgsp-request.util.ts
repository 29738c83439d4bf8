import type { KeyObject } from 'node:crypto';

import { ErrorCode, Header } from '@lgsp/contracts';

import { verifyContentDigest } from '../content-digest/content-digest.util';
import type { HttpMessage } from '../rfc9421/http-message.type';
import { requestMessage } from '../rfc9421/http-message.util';
import { keyMismatch } from '../rfc9421/signature-algorithm.util';
import { STANDARD_SIGNATURE_HEADERS, type VerificationFailureReason, verifyMessageSignature } from '../rfc9421/verify-message.util';
import { algorithmForKey } from './certificate-key.util';
import type { LgspHttpRequest, RegisteredCertificate, SignatureEvidence } from './lgsp-message.type';
import {
  DEFAULT_MAX_SKEW_SECONDS,
  LGSP_SIGNATURE_HEADERS,
  REQUIRED_REQUEST_COMPONENTS,
  REQUIRED_REQUEST_PARAMS,
} from './lgsp-signature.constant';
import type { ReplayGuard } from './replay-guard.type';

/** The contract codes a request signature can be refused with. */
export type SignatureErrorCode =
  | ErrorCode.SignatureMissing
  | ErrorCode.SignatureInvalid
  | ErrorCode.DigestMismatch
  | ErrorCode.KeyUnknown
  | ErrorCode.CertificateExpired
  | ErrorCode.CertificateRevoked
  | ErrorCode.SignatureExpired
  | ErrorCode.ReplayDetected;

export type LgspRequestVerification =
  | { readonly ok: true; readonly evidence: SignatureEvidence }
  | { readonly ok: false; readonly code: SignatureErrorCode; readonly detail: string };

export interface VerifyLgspRequestOptions {
  /** The registry's signing certificate with this id (the keyid), or undefined. */
  readonly keys: (keyid: string) => RegisteredCertificate | undefined | Promise<RegisteredCertificate | undefined>;
  /** The consumer system the access token names (`sub`): the certificate must be registered to it. */
  readonly consumerId: string;
  readonly now: () => Date;
  /** How far `created` may be from now, either way. Default 300 s. */
  readonly maxSkewSeconds?: number;
  /** The CRL check (LGSP_CRL); absent: only the registry status counts. */
  readonly isRevoked?: (certificate: RegisteredCertificate['certificate']) => boolean | Promise<boolean>;
  readonly replayGuard: ReplayGuard;
  /** The signature to verify; by default the first of the field. */
  readonly label?: string;
}

const REASON_CODES: Readonly<Record<VerificationFailureReason, SignatureErrorCode>> = {
  missing: ErrorCode.SignatureMissing,
  malformed: ErrorCode.SignatureInvalid,
  'bad-signature': ErrorCode.SignatureInvalid,
  'missing-component': ErrorCode.SignatureInvalid,
  'unsupported-alg': ErrorCode.SignatureInvalid,
  'unknown-key': ErrorCode.KeyUnknown,
  expired: ErrorCode.SignatureExpired,
  'not-yet-valid': ErrorCode.SignatureExpired,
};

type Refusal = Extract<LgspRequestVerification, { ok: false }>;

/**
 * Verifies the signature of a request under the LGSP profile (docs/signatures.md). The checks run
 * cheapest first: the fields, their syntax, the covered components and parameters, the time window,
 * the certificate (registered to this consumer, active, valid now, not on the CRL), the signature,
 * the Content-Digest over the bytes received, and last the replay guard, so a request that does not
 * verify never uses up its X-Request-ID.
 */
export async function verifyLgspRequestSignature(request: LgspHttpRequest, options: VerifyLgspRequestOptions): Promise<LgspRequestVerification> {
  const message = requestMessage(request);
  const fields = signatureFields(message);
  if (fields === undefined) return refuse(ErrorCode.SignatureMissing, 'The request carries no X-Signature and X-Signature-Input');

  const body = request.body ?? new Uint8Array();
  const maxSkew = options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  let certificateRefusal: Refusal | undefined;
  let registered: RegisteredCertificate | undefined;

  const verification = await verifyMessageSignature(message, {
    ...(options.label !== undefined && { label: options.label }),
    headerNames: fields,
    now: options.now,
    maxAgeSeconds: maxSkew,
    clockSkewSeconds: maxSkew,
    requiredParams: REQUIRED_REQUEST_PARAMS,
    requiredComponents: body.length > 0 ? [...REQUIRED_REQUEST_COMPONENTS, Header.contentDigest] : REQUIRED_REQUEST_COMPONENTS,
    keyLookup: async (keyid, alg) => {
      const resolved = await resolveCertificate(keyid, alg, options);
      if ('code' in resolved) {
        certificateRefusal = resolved;
        return undefined;
      }
      registered = resolved.registered;
      return { key: resolved.key, alg: resolved.alg };
    },
  });
  if (!verification.ok) return certificateRefusal ?? refuse(REASON_CODES[verification.reason], verification.detail);

  const contentDigestField = message.headers(Header.contentDigest);
  let digests: SignatureEvidence['digests'] = {};
  if (contentDigestField !== undefined) {
    const digest = verifyContentDigest(contentDigestField, body);
    if (!digest.ok) return refuse(ErrorCode.DigestMismatch, digest.detail);
    digests = digest.digests;
  }

  const { params, label, keyid, alg } = verification;
  const requestId = (message.headers(Header.requestId) ?? '').toLowerCase();
  const created = params.created as number;
  const now = Math.floor(options.now().getTime() / 1000);
  // Remembered for as long as this signature could still be accepted, plus a second.
  const acceptedUntil = Math.min(created + maxSkew, params.expires ?? Number.POSITIVE_INFINITY);
  const ttlSeconds = Math.max(1, acceptedUntil - now + 1);
  if (await options.replayGuard.seen(options.consumerId, requestId, ttlSeconds)) {
    return refuse(ErrorCode.ReplayDetected, `The consumer system already sent a request with X-Request-ID ${requestId}`);
  }

  return {
    ok: true,
    evidence: {
      label,
      signatureInput: `${label}=${params.signatureParams}`,
      signature: params.signature.toString('base64'),
      keyid,
      alg,
      certificateFingerprint: (registered as RegisteredCertificate).certificate.fingerprint256,
      digests,
      created,
      ...(params.expires !== undefined && { expires: params.expires }),
      ...(params.nonce !== undefined && { nonce: params.nonce }),
      field: fields.signature,
    },
  };
}

/** The pair of fields that carries the request's signature: X-Signature first, then Signature. */
export function signatureFields(message: HttpMessage): typeof LGSP_SIGNATURE_HEADERS | typeof STANDARD_SIGNATURE_HEADERS | undefined {
  for (const fields of [LGSP_SIGNATURE_HEADERS, STANDARD_SIGNATURE_HEADERS]) {
    if (message.headers(fields.signatureInput) !== undefined || message.headers(fields.signature) !== undefined) return fields;
  }
  return undefined;
}

async function resolveCertificate(
  keyid: string,
  alg: string | undefined,
  options: VerifyLgspRequestOptions,
): Promise<Refusal | { registered: RegisteredCertificate; key: KeyObject; alg: NonNullable<ReturnType<typeof algorithmForKey>> }> {
  const registered = await options.keys(keyid);
  // Whether the keyid exists for another consumer system is not told.
  if (registered === undefined || registered.consumerId !== options.consumerId) {
    return refuse(ErrorCode.KeyUnknown, `No signing certificate ${keyid} is registered for this consumer system`);
  }
  const { certificate } = registered;
  if (registered.status === 'revoked') return refuse(ErrorCode.CertificateRevoked, `The signing certificate ${keyid} is revoked`);

  const now = options.now().getTime();
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    return refuse(ErrorCode.CertificateExpired, `The validity of the signing certificate ${keyid} cannot be read`);
  }
  if (now < notBefore.getTime()) return refuse(ErrorCode.CertificateExpired, `The signing certificate ${keyid} is not valid before ${notBefore.toISOString()}`);
  if (now > notAfter.getTime()) return refuse(ErrorCode.CertificateExpired, `The signing certificate ${keyid} expired on ${notAfter.toISOString()}`);
  if (options.isRevoked !== undefined && (await options.isRevoked(certificate))) {
    return refuse(ErrorCode.CertificateRevoked, `The signing certificate ${keyid} is on the certificate revocation list`);
  }

  const key = registered.publicKey ?? certificate.publicKey;
  const algorithm = algorithmForKey(key, alg);
  if (algorithm === undefined) {
    return refuse(ErrorCode.SignatureInvalid, `The signing certificate ${keyid} cannot sign with ${alg ?? 'any algorithm of the profile'}`);
  }
  const mismatch = keyMismatch(algorithm, key);
  if (mismatch !== undefined) return refuse(ErrorCode.SignatureInvalid, `The signing certificate ${keyid} cannot be used: ${mismatch}`);
  return { registered, key, alg: algorithm };
}

function refuse(code: SignatureErrorCode, detail: string): Refusal {
  return { ok: false, code, detail };
}
