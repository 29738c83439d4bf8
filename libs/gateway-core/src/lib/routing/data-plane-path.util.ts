import { API_DOMAIN_PATTERN, API_VERSION_PATTERN, ErrorCode, LgspError } from '@lgsp/contracts';

export interface DataPlanePath {
  readonly version: string;
  readonly domain: string;
  /** Starts with '/': what the provider receives after its base path. */
  readonly resourcePath: string;
}

// A dot segment or an encoded slash/backslash could walk the provider's path out of the API's
// base path once the provider normalises or decodes it; refuse rather than guess how it would.
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;
const ENCODED_SEPARATOR = /%2f|%5c|\\/i;

/**
 * Splits `/{version}/{domain}/{resource...}` (the raw path, query removed). Returns the parts, or
 * the refusal: not_found for a path outside that shape, validation_failed for a traversal attempt.
 */
export function parseDataPlanePath(path: string): DataPlanePath | LgspError {
  const second = path.indexOf('/', 1);
  const third = second === -1 ? -1 : path.indexOf('/', second + 1);
  if (path.charCodeAt(0) !== 47 || third === -1 || third === path.length - 1) {
    return new LgspError(ErrorCode.NotFound, 'Paths have the form /{version}/{domain}/{resource}');
  }
  const version = path.slice(1, second);
  const domain = path.slice(second + 1, third);
  if (!API_VERSION_PATTERN.test(version) || !API_DOMAIN_PATTERN.test(domain)) {
    return new LgspError(ErrorCode.NotFound, 'Paths have the form /{version}/{domain}/{resource}');
  }
  const resourcePath = path.slice(third);
  if (DOT_SEGMENT.test(resourcePath) || ENCODED_SEPARATOR.test(resourcePath)) {
    return new LgspError(ErrorCode.ValidationFailed, 'The path may not contain dot segments or encoded separators', [
      { location: 'path', message: 'dot segments (. and ..) and encoded / or \\ are not allowed' },
    ]);
  }
  return { version, domain, resourcePath };
}
