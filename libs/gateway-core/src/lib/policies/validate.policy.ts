import type { GatewayContext } from '../chain/gateway-context.type';
import type { GatewayPolicy, PolicyResult } from '../chain/gateway-policy.type';

export interface ValidatePolicyConfig {
  maxErrors: number;
}

/**
 * Phase 7: the request against the operation in the provider's OpenAPI 3.0 document, with the
 * validators compiled when the routing table was built (policies/validate/). Path, query and header
 * parameters (read as OpenAPI's default styles write them, strings coerced to the declared
 * integer, number or boolean) and a JSON body (application/json, +json) → 400 validation_failed
 * listing each violation with its location (`path.id`, `query.page`, `header.x-tenant`,
 * `body/items/0/name`); a body that is not JSON → 400 at `body`; a Content-Type the operation does
 * not accept, or a body sent to an operation that takes none → 415 unsupported_media_type naming
 * the accepted types. Bodies past LGSP_MAX_BODY_BYTES never get here (413 while reading). The body
 * is parsed from a copy: the provider receives the bytes the consumer sent. SOAP versions and
 * operations whose description could not be compiled (reported in the reload's log) pass as they
 * are.
 */
export const validatePolicy: GatewayPolicy<ValidatePolicyConfig> = {
  name: 'validate',
  phase: 70,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      maxErrors: { type: 'integer', minimum: 1, maximum: 1000, description: 'Most violations a 400 validation_failed lists; the rest are left out', default: 20 },
    },
  },
  create: ({ maxErrors }) => ({
    handle(context: GatewayContext): PolicyResult {
      const { route, operation } = context;
      if (route?.requestValidators === undefined || operation === undefined) return undefined;
      const validator = route.requestValidators.get(operation.key);
      if (validator === undefined) return undefined;
      return validator.validate(
        {
          operation,
          resourcePath: context.resourcePath ?? '',
          query: context.query,
          headers: context.request.headers,
          body: context.request.body as Buffer | undefined,
        },
        maxErrors,
      );
    },
  }),
};
