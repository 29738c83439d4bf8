import { Header } from '@lgsp/contracts';
import { signLgspResponse } from '@lgsp/signature';
import type { PlatformSigningKey } from '@lgsp/signature';

import type { GatewayContext } from '../../chain/gateway-context.type';

/**
 * Signs the platform's answers (docs/signatures.md §8): @status, content-digest over the body sent,
 * x-request-id, the request's @method and @target-uri and, when it was signed, its signature (;req).
 */
export class ResponseSigner {
  constructor(
    readonly key: PlatformSigningKey,
    private readonly publicOrigin: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Content-Digest, X-Signature-Input and X-Signature for an answer of `status` with `body`, which
   * echoes `requestId` (the request-id policy's by default) in X-Request-ID.
   */
  async headersFor(context: GatewayContext, status: number, body: Uint8Array, requestId = context.requestId): Promise<Record<string, string>> {
    const { request } = context;
    const signed = await signLgspResponse(
      { status, headers: (name) => (name === Header.requestId ? requestId : undefined), body },
      { method: request.method, url: this.publicOrigin + context.path + context.query, headers: request.headers },
      { keyid: this.key.keyid, key: this.key.privateKey, alg: this.key.alg, now: new Date(this.clock()), ...(context.requestSignature !== undefined && { requestSignature: context.requestSignature }) },
    );
    return signed.headers;
  }
}
