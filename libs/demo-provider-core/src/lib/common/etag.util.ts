/** The strong entity tag of a representation at this version. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * RFC 9110 If-Match with the strong comparison it requires: true when the header is absent, is `*`
 * (the resource exists: callers evaluate this only after finding it), or lists this version's tag.
 * Weak tags (`W/"3"`) never match.
 */
export function ifMatchAllows(ifMatch: string | undefined, version: number): boolean {
  if (ifMatch === undefined) return true;
  const current = etagOf(version);
  return ifMatch
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === current);
}
