import type { TransactionSignature } from '@lgsp/contracts';
import { ErrorCode, Header, LgspError, isWriteMethod } from '@lgsp/contracts';
import { STANDARD_SIGNATURE_HEADERS, parseSignatureHeaders, verifyLgspRequestSignature } from '@lgsp/signature';
import type { SignatureEvidence } from '@lgsp/signature';

import type { GatewayContext } from '../chain/gateway-context.type';
import type { GatewayPolicy, GatewayPolicyHandler, PolicyResult } from '../chain/gateway-policy.type';
import type { SignatureDependencies } from './sign/signature-dependencies.type';

const NOT_REACHED = new LgspError(ErrorCode.InternalError, 'verify reached without an authenticated consumer and a routed API');
const UNSIGNED_WRITE = new LgspError(
  ErrorCode.SignatureMissing,
  'Writes (POST, PUT, PATCH, DELETE) must be signed: send X-Signature and X-Signature-Input (RFC 9421, docs/signatures.md)',
);
const UNSIGNED_SECRET = new LgspError(
  ErrorCode.SignatureMissing,
  'Mật and Tối mật operations are served only on signed calls: send X-Signature and X-Signature-Input (RFC 9421, docs/signatures.md)',
);

function hasSignature(headers: GatewayContext['request']['headers']): boolean {
  return (
    headers[Header.signature] !== undefined ||
    headers[Header.signatureInput] !== undefined ||
    headers[STANDARD_SIGNATURE_HEADERS.signature] !== undefined ||
    headers[STANDARD_SIGNATURE_HEADERS.signatureInput] !== undefined
  );
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function evidenceOf(evidence: SignatureEvidence): TransactionSignature {
  return {
    verified: true,
    keyid: evidence.keyid,
    label: evidence.label,
    signatureInput: evidence.signatureInput,
    signature: evidence.signature,
    digests: evidence.digests,
    created: evidence.created,
    alg: evidence.alg,
    certificateFingerprint: evidence.certificateFingerprint,
  };
}

/** What a refused signature said about itself, as far as its fields can be read (the first member, as verified). */
function refusedEvidenceOf(context: GatewayContext): TransactionSignature {
  const { headers } = context.request;
  const lgsp = headers[Header.signatureInput] !== undefined || headers[Header.signature] !== undefined;
  const input = header(headers[lgsp ? Header.signatureInput : STANDARD_SIGNATURE_HEADERS.signatureInput]);
  const value = header(headers[lgsp ? Header.signature : STANDARD_SIGNATURE_HEADERS.signature]);
  if (input === undefined || value === undefined) return { verified: false };
  try {
    const [first] = parseSignatureHeaders(input, value);
    if (first === undefined) return { verified: false };
    return {
      verified: false,
      label: first.label,
      signatureInput: `${first.label}=${first.signatureParams}`,
      signature: first.signature.toString('base64'),
      ...(first.keyid !== undefined && { keyid: first.keyid }),
      ...(first.created !== undefined && { created: first.created }),
      ...(first.alg !== undefined && { alg: first.alg }),
    };
  } catch {
    return { verified: false };
  }
}

class VerifyHandler implements GatewayPolicyHandler {
  constructor(
    private readonly signatures: SignatureDependencies,
    private readonly clock: () => number,
  ) {}

  private readonly now = (): Date => new Date(this.clock());

  handle(context: GatewayContext): PolicyResult | Promise<PolicyResult> {
    const { request, route, consumerId } = context;
    if (route === undefined || consumerId === undefined) return NOT_REACHED;
    if (hasSignature(request.headers)) return this.verify(context, consumerId);
    // REST: the operation's classification; SOAP: the version's.
    const classification = route.kind === 'soap' ? route.classification : context.operation?.classification;
    if (classification === 'mat' || classification === 'toi-mat') return UNSIGNED_SECRET;
    if (this.signatures.requireSignedWrites && (context.isWrite ?? isWriteMethod(request.method))) return UNSIGNED_WRITE;
    if (this.signatures.signAllResponses) context.signResponse = true;
    return undefined;
  }

  private async verify(context: GatewayContext, consumerId: string): Promise<PolicyResult> {
    const { request } = context;
    const body = request.body;
    const result = await verifyLgspRequestSignature(
      {
        method: request.method,
        // The URI the consumer addressed: the platform's public origin, the path and query exactly as received.
        url: this.signatures.publicOrigin + context.path + context.query,
        headers: request.headers,
        ...(Buffer.isBuffer(body) && { body }),
      },
      {
        keys: this.signatures.certificates,
        consumerId,
        now: this.now,
        replayGuard: this.signatures.replayGuard,
        ...(this.signatures.isRevoked !== undefined && { isRevoked: this.signatures.isRevoked }),
      },
    );
    if (!result.ok) {
      context.signature = refusedEvidenceOf(context);
      return new LgspError(result.code, result.detail);
    }
    context.signature = evidenceOf(result.evidence);
    context.requestSignature = result.evidence;
    context.signResponse = true;
    return undefined;
  }
}

/**
 * Phase 6: X-Signature (RFC 9421, LGSP profile: docs/signatures.md). Required on every write (unless
 * LGSP_REQUIRE_SIGNED_WRITES=false) and on every Mật or Tối mật operation (→ 401 signature_missing);
 * verified whenever present. The key is the certificate the snapshot registers under the keyid for
 * the token's consumer system; the library's checks answer with their contract codes
 * (signature_invalid, key_unknown, certificate_revoked, certificate_expired, signature_expired,
 * digest_mismatch, replay_detected). Evidence of every signature, accepted or refused, goes into
 * the transaction record. After throttle, so a flood of forged signatures spends the consumer's
 * budget before it spends the gateway's CPU.
 */
export const verifyPolicy: GatewayPolicy = {
  name: 'verify',
  phase: 60,
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: (_config, { signatures, clock }) => {
    if (signatures === undefined) throw new Error('policy verify: the gateway module must provide dependencies.signatures');
    return new VerifyHandler(signatures, clock ?? Date.now);
  },
};
