/** How LGSP's demo registers this provider: consumers call it as /v1/directory/<path>. */
export const DEMO_PROVIDER_API = {
  /** ECS service.name and metrics label. */
  service: 'lgsp-demo-provider',
  domain: 'directory',
  version: 'v1',
  classification: 'noi-bo',
  /** Relative to the workspace root. */
  openapiDocument: 'openapi/demo-provider.yaml',
} as const;

export const DEMO_PROVIDER_DEFAULT_BODY_LIMIT = 1_048_576;
