/** Data classifications of the governing guidance, lowest to highest. */
export const CLASSIFICATIONS = ['cong-khai', 'noi-bo', 'mat', 'toi-mat', 'tuyet-mat'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** Classifications that may be registered for an API: Tuyệt mật never crosses the platform. */
export const SERVABLE_CLASSIFICATIONS = ['cong-khai', 'noi-bo', 'mat', 'toi-mat'] as const;

export const ENVIRONMENTS = ['sandbox', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const API_STATUSES = ['draft', 'published', 'deprecated', 'retired'] as const;
export type ApiStatus = (typeof API_STATUSES)[number];

export const CONSUMER_STATUSES = ['active', 'suspended', 'terminated'] as const;
export type ConsumerStatus = (typeof CONSUMER_STATUSES)[number];

export const ADMIN_ROLES = ['dgo-admin', 'provider', 'consumer', 'soc-analyst'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** Writes per the guidance: POST, PUT, PATCH and DELETE. Everything else counts as a read. */
const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export function isWriteMethod(method: string): boolean {
  return WRITE_METHODS.has(method);
}

/** API versions in the URL: v1, v2, ... */
export const API_VERSION_PATTERN = /^v[1-9][0-9]{0,3}$/;
/** Domains in the URL: lower-case words joined by hyphens. */
export const API_DOMAIN_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
