import { ErrorCode, LgspError } from '@lgsp/contracts';

import type { GatewayPolicy } from '../chain/gateway-policy.type';
import { parseDataPlanePath } from '../routing/data-plane-path.util';

/**
 * Phase 3: /{version}/{domain}/{resource...} → the API version, from the in-memory table. Unknown
 * → 404 not_found; retired → 410 api_retired. Draft versions are not in the table.
 */
export const routePolicy: GatewayPolicy = {
  name: 'route',
  phase: 30,
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: (_config, { routes }) => ({
    handle(context) {
      const parsed = parseDataPlanePath(context.path);
      if (parsed instanceof LgspError) return parsed;
      context.apiVersion = parsed.version;
      context.apiDomain = parsed.domain;
      context.resourcePath = parsed.resourcePath;
      const route = routes.table.lookup(parsed.version, parsed.domain);
      if (route === undefined) return new LgspError(ErrorCode.NotFound, `No API ${parsed.domain} ${parsed.version} is published`);
      context.route = route;
      context.request.metricsRoute = route.label;
      if (route.status === 'retired') return new LgspError(ErrorCode.ApiRetired, `${parsed.domain} ${parsed.version} is retired`);
      return undefined;
    },
  }),
};
