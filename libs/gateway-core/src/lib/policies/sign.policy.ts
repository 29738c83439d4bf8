import { ErrorCode, LgspError } from '@lgsp/contracts';

import type { GatewayContext } from '../chain/gateway-context.type';
import type { GatewayPolicy, GatewayPolicyHandler, PolicyResult } from '../chain/gateway-policy.type';
import type { ResponseSigner } from './sign/response-signer';

const NO_ANSWER = new LgspError(ErrorCode.InternalError, 'sign reached without the answer of the provider');

class SignHandler implements GatewayPolicyHandler {
  constructor(private readonly signer: ResponseSigner) {}

  handle(context: GatewayContext): PolicyResult | Promise<PolicyResult> {
    // Unsigned answers were streamed by the proxy: nothing to do.
    if (context.signResponse !== true) return undefined;
    const body = context.responseBody;
    if (body === undefined) return NO_ANSWER;
    return this.sign(context, body);
  }

  private async sign(context: GatewayContext, body: Buffer): Promise<PolicyResult> {
    const { reply } = context;
    reply.headers(await this.signer.headersFor(context, reply.statusCode, body));
    context.responseBody = undefined;
    reply.send(context.request.method === 'HEAD' ? undefined : body);
    return undefined;
  }
}

/**
 * Phase 9: signs the provider's answer to a signed request (and every answer with
 * LGSP_SIGN_ALL_RESPONSES) with the platform's key — X-Signature under the label `lgsp`, and
 * Content-Digest over the body sent (docs/signatures.md §8). The proxy buffered that body for it;
 * unsigned answers stream. Refusals after verify are signed where they are written (data plane).
 */
export const signPolicy: GatewayPolicy = {
  name: 'sign',
  phase: 90,
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: (_config, { signatures }) => {
    if (signatures === undefined) throw new Error('policy sign: the gateway module must provide dependencies.signatures');
    return new SignHandler(signatures.signer);
  },
};
