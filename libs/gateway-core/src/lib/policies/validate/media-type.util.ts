/** A media type or range of a `requestBody.content` key, parameters left out ('application/json'). */
export interface MediaRange {
  readonly essence: string;
  /** 'application' of 'application/json', '*' of '*\/*'. */
  readonly type: string;
  /** 'json' of 'application/json', '*' of 'application/*'. */
  readonly subtype: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * The essence of a Content-Type value (RFC 9110 §8.3.1): type/subtype, lower-cased, parameters
 * such as charset dropped. Undefined when the value is not a media type.
 */
export function mediaEssence(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const semicolon = value.indexOf(';');
  const essence = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  const slash = essence.indexOf('/');
  if (slash <= 0 || slash === essence.length - 1) return undefined;
  return TOKEN.test(essence.slice(0, slash)) && TOKEN.test(essence.slice(slash + 1)) ? essence : undefined;
}

export function mediaRangeOf(key: string): MediaRange | undefined {
  const essence = mediaEssence(key);
  if (essence === undefined) return undefined;
  const slash = essence.indexOf('/');
  return { essence, type: essence.slice(0, slash), subtype: essence.slice(slash + 1) };
}

/** application/json and the structured-syntax suffix (RFC 6839) types: application/merge-patch+json, application/problem+json… */
export function isJsonMediaType(essence: string): boolean {
  return essence === 'application/json' || (essence.endsWith('+json') && !essence.includes('*'));
}

/**
 * Finds which of an operation's accepted media ranges a request's media type falls in, the most
 * specific first as RFC 9110 §12.5.1 orders them: the exact type, then type/*, then *\/*.
 */
export class MediaTypeMatcher<T> {
  private readonly exact = new Map<string, T>();
  private readonly byType = new Map<string, T>();
  private any: T | undefined;

  constructor(entries: Iterable<readonly [MediaRange, T]>) {
    for (const [range, value] of entries) {
      if (range.type === '*') this.any ??= value;
      else if (range.subtype === '*') {
        if (!this.byType.has(range.type)) this.byType.set(range.type, value);
      } else if (!this.exact.has(range.essence)) this.exact.set(range.essence, value);
    }
  }

  /** `essence` as mediaEssence gives it; undefined (no or unreadable Content-Type) only matches *\/*. */
  match(essence: string | undefined): T | undefined {
    if (essence === undefined) return this.any;
    const exact = this.exact.get(essence);
    if (exact !== undefined) return exact;
    if (this.byType.size > 0) {
      const byType = this.byType.get(essence.slice(0, essence.indexOf('/')));
      if (byType !== undefined) return byType;
    }
    return this.any;
  }
}
