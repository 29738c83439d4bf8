/** HTTP header names of the contract, lower-case as Node delivers them. */
export const Header = {
  authorization: 'authorization',
  requestId: 'x-request-id',
  transactionId: 'x-lgsp-transaction-id',
  consumer: 'x-lgsp-consumer',
  /** To providers: the platform-signed JWT naming the consumer (backend JWT, see BACKEND_JWT_TYP). */
  assertion: 'x-lgsp-assertion',
  signature: 'x-signature',
  signatureInput: 'x-signature-input',
  contentDigest: 'content-digest',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  rateLimitPolicy: 'ratelimit-policy',
  rateLimit: 'ratelimit',
  retryAfter: 'retry-after',
  deprecation: 'deprecation',
  sunset: 'sunset',
  link: 'link',
  forwardedFor: 'x-forwarded-for',
  wwwAuthenticate: 'www-authenticate',
} as const;

export const MediaType = {
  problemJson: 'application/problem+json',
  json: 'application/json',
} as const;
