import { KeyObject } from 'node:crypto';

import { Header } from '@lgsp/contracts';

import { contentDigest, type DigestAlgorithm, verifyContentDigest } from '../content-digest/content-digest.util';
import type { ComponentId } from '../rfc9421/component.util';
import type { HeaderSource } from '../rfc9421/http-message.type';
import { headerAccess, requestMessage, responseMessage } from '../rfc9421/http-message.util';
import type { SignatureAlgorithm } from '../rfc9421/signature-algorithm.util';
import { type Signer, signMessage } from '../rfc9421/sign-message.util';
import { STANDARD_SIGNATURE_HEADERS, type VerificationFailureReason, type VerificationKey, verifyMessageSignature } from '../rfc9421/verify-message.util';
import { algorithmForKey } from './certificate-key.util';
import type { LgspHttpRequest, LgspHttpResponse, SignatureEvidence } from './lgsp-message.type';
import {
  DEFAULT_MAX_SKEW_SECONDS,
  LGSP_SIGNATURE_HEADERS,
  REQUEST_LABEL,
  REQUIRED_REQUEST_COMPONENTS,
  RESPONSE_LABEL,
} from './lgsp-signature.constant';

export interface LgspSigningOptions {
  /** The id of the registered certificate (consumer) or of the platform's signing key (gateway). */
  readonly keyid: string;
  /** The private key; or `signer` (a hardware token) with `alg`. */
  readonly key?: KeyObject;
  readonly signer?: Signer;
  /** Default: from the key (RSA: rsa-v1_5-sha256, EC P-256: ecdsa-p256-sha256, Ed25519: ed25519). */
  readonly alg?: SignatureAlgorithm;
  /** The signature's `created`. */
  readonly now: Date;
  readonly expires?: Date;
  readonly nonce?: string;
  readonly label?: string;
  /** Default sha-256. */
  readonly digestAlgorithm?: DigestAlgorithm;
}

/** Header fields to add to the message: Content-Digest when computed, and the signature pair. */
export interface LgspSignature {
  readonly headers: Readonly<Record<string, string>>;
  readonly base: string;
}

/**
 * The consumer side: signs a request under the LGSP profile, covering `@method`, `@target-uri`,
 * `x-request-id` and, when there is a body, `content-digest` (computed here over `body`). The
 * request's headers must already hold X-Request-ID. Returns X-Signature-Input and X-Signature (or
 * the standard names with `fields: 'standard'`) and Content-Digest.
 */
export async function signLgspRequest(
  request: LgspHttpRequest,
  options: LgspSigningOptions & { readonly fields?: 'lgsp' | 'standard' },
): Promise<LgspSignature> {
  const body = request.body ?? new Uint8Array();
  const added: Record<string, string> = {};
  if (body.length > 0) added[Header.contentDigest] = contentDigest(body, options.digestAlgorithm);
  const headers = withHeaders(request.headers, added);
  if (headers(Header.requestId) === undefined) throw new TypeError('The request has no X-Request-ID to sign');

  const components = body.length > 0 ? [...REQUIRED_REQUEST_COMPONENTS, Header.contentDigest] : [...REQUIRED_REQUEST_COMPONENTS];
  const fields = options.fields === 'standard' ? STANDARD_SIGNATURE_HEADERS : LGSP_SIGNATURE_HEADERS;
  const signed = await signMessage(requestMessage({ ...request, headers }), {
    ...signingOptions(options, REQUEST_LABEL),
    components,
  });
  return { headers: { ...added, [fields.signatureInput]: signed.signatureInput, [fields.signature]: signed.signature }, base: signed.base };
}

/**
 * The gateway side: signs a response, covering `@status`, `content-digest` (computed here over
 * `body`, empty included), `x-request-id`, the request's `@method` and `@target-uri`, and the
 * request's own signature when it had one (`"x-signature";req;key="sig1"`, under the field and label
 * the request used, as `requestSignature` — the evidence of its verification — tells).
 */
export async function signLgspResponse(
  response: LgspHttpResponse,
  request: Omit<LgspHttpRequest, 'body'>,
  options: LgspSigningOptions & { readonly requestSignature?: Pick<SignatureEvidence, 'label' | 'field'> },
): Promise<LgspSignature> {
  const added = { [Header.contentDigest]: contentDigest(response.body ?? new Uint8Array(), options.digestAlgorithm) };
  const headers = withHeaders(response.headers, added);
  if (headers(Header.requestId) === undefined) throw new TypeError('The response has no X-Request-ID to sign');

  const signed = await signMessage(responseMessage({ status: response.status, headers }, requestMessage(request)), {
    ...signingOptions(options, RESPONSE_LABEL),
    components: responseComponents(options.requestSignature),
  });
  return {
    headers: { ...added, [LGSP_SIGNATURE_HEADERS.signatureInput]: signed.signatureInput, [LGSP_SIGNATURE_HEADERS.signature]: signed.signature },
    base: signed.base,
  };
}

export type LgspResponseVerification =
  | { readonly ok: true; readonly keyid: string; readonly alg: SignatureAlgorithm; readonly base: string }
  | { readonly ok: false; readonly reason: VerificationFailureReason | 'digest-mismatch'; readonly detail: string };

/**
 * The consumer side: verifies the platform's signature on a response to `request` (which must still
 * carry the request's own signature fields when `requestSignature` is given), and its Content-Digest.
 */
export async function verifyLgspResponseSignature(
  response: LgspHttpResponse,
  request: Omit<LgspHttpRequest, 'body'>,
  options: {
    readonly keyLookup: (keyid: string) => KeyObject | VerificationKey | undefined;
    readonly now: () => Date;
    readonly maxSkewSeconds?: number;
    readonly requestSignature?: Pick<SignatureEvidence, 'label' | 'field'>;
  },
): Promise<LgspResponseVerification> {
  const maxSkew = options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  const message = responseMessage(response, requestMessage(request));
  const verification = await verifyMessageSignature(message, {
    headerNames: LGSP_SIGNATURE_HEADERS,
    label: RESPONSE_LABEL,
    now: options.now,
    maxAgeSeconds: maxSkew,
    clockSkewSeconds: maxSkew,
    requiredParams: ['created', 'keyid'],
    requiredComponents: responseComponents(options.requestSignature),
    keyLookup: (keyid, alg) => {
      const found = options.keyLookup(keyid);
      if (!(found instanceof KeyObject)) return found;
      const algorithm = algorithmForKey(found, alg);
      return algorithm === undefined ? undefined : { key: found, alg: algorithm };
    },
  });
  if (!verification.ok) return { ok: false, reason: verification.reason, detail: verification.detail };
  const digest = verifyContentDigest(message.headers(Header.contentDigest) as string, response.body ?? new Uint8Array());
  if (!digest.ok) return { ok: false, reason: 'digest-mismatch', detail: digest.detail };
  return { ok: true, keyid: verification.keyid, alg: verification.alg, base: verification.base };
}

function responseComponents(requestSignature: Pick<SignatureEvidence, 'label' | 'field'> | undefined): ComponentId[] {
  return [
    { name: '@status' },
    { name: Header.contentDigest },
    { name: Header.requestId },
    { name: '@method', params: { req: true } },
    { name: '@target-uri', params: { req: true } },
    ...(requestSignature === undefined ? [] : [{ name: requestSignature.field, params: { req: true as const, key: requestSignature.label } }]),
  ];
}

function signingOptions(options: LgspSigningOptions, defaultLabel: string) {
  const alg = options.alg ?? (options.key === undefined ? undefined : algorithmForKey(options.key, undefined));
  if (alg === undefined) throw new TypeError(options.key === undefined ? 'Signing with a signer needs alg' : 'The key fits no algorithm of the LGSP profile');
  return {
    label: options.label ?? defaultLabel,
    keyid: options.keyid,
    alg,
    ...(options.key !== undefined && { key: options.key }),
    ...(options.signer !== undefined && { signer: options.signer }),
    created: options.now,
    ...(options.expires !== undefined && { expires: options.expires }),
    ...(options.nonce !== undefined && { nonce: options.nonce }),
  };
}

/** The message's header fields with `added` (lower-case names) taking precedence. */
function withHeaders(source: HeaderSource, added: Readonly<Record<string, string>>): (name: string) => string | undefined {
  const access = headerAccess(source);
  return (name) => added[name] ?? access.headers(name);
}
