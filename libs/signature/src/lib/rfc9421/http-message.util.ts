import type { HeaderAccess, HeaderSource, RequestMessage, ResponseMessage } from './http-message.type';

// scheme "://" authority path [ "?" query ] [ "#" fragment ]: the parts are kept exactly as sent,
// since a WHATWG URL would re-encode some characters (an apostrophe in the query) the signer did not.
const ABSOLUTE_URI = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(?:#.*)?$/;

/** A request as RFC 9421 sees it, from its method, absolute URL and header fields. */
export function requestMessage(request: { method: string; url: string | URL; headers: HeaderSource }): RequestMessage {
  const text = typeof request.url === 'string' ? request.url : request.url.href;
  const parts = ABSOLUTE_URI.exec(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new TypeError(`The request URL is not an absolute URL: ${text}`, { cause: error });
  }
  if (!parts) throw new TypeError(`The request URL is not an absolute URL with an authority: ${text}`);
  const [, , , path, query] = parts;
  const fragment = text.indexOf('#');
  return {
    method: request.method,
    targetUri: fragment === -1 ? text : text.slice(0, fragment),
    authority: url.host,
    scheme: url.protocol.slice(0, -1).toLowerCase(),
    path: path === '' ? '/' : path,
    query: query ?? '',
    ...headerAccess(request.headers),
  };
}

/** A response as RFC 9421 sees it; `request` makes the `;req` components available. */
export function responseMessage(response: { status: number; headers: HeaderSource }, request?: RequestMessage): ResponseMessage {
  return { status: response.status, ...(request !== undefined && { request }), ...headerAccess(response.headers) };
}

/** Case-insensitive access to header fields, the lines of a repeated field joined with ", ". */
export function headerAccess(source: HeaderSource): HeaderAccess {
  if (typeof source === 'function') return { headers: (name) => source(name) };
  if (isFetchHeaders(source)) return { headers: (name) => source.get(name) ?? undefined };
  const lines = new Map<string, string[]>();
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const existing = lines.get(key) ?? [];
    if (Array.isArray(value)) existing.push(...value.map(String));
    else existing.push(String(value));
    lines.set(key, existing);
  }
  return {
    headers: (name) => lines.get(name)?.join(', '),
    fieldLines: (name) => lines.get(name),
  };
}

function isFetchHeaders(source: HeaderSource): source is { get(name: string): string | null } {
  return typeof (source as { get?: unknown }).get === 'function';
}
