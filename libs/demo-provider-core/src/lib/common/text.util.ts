/** Stored text is NFC (clients on some systems send decomposed Vietnamese) and trimmed. */
export function normaliseText(value: unknown): unknown {
  return typeof value === 'string' ? value.normalize('NFC').trim() : value;
}

/**
 * Folds Vietnamese text for search: without tone and vowel marks, đ as d, lower case, so that
 * `ha noi`, `Hà Nội` and `HÀ NỘI` all find "Thành ủy Hà Nội".
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

/** True when the folded query occurs in any of the folded fields; an empty query matches everything. */
export function matchesQuery(query: string | undefined, ...fields: readonly string[]): boolean {
  if (query === undefined || query === '') return true;
  const needle = foldForSearch(query);
  return fields.some((field) => foldForSearch(field).includes(needle));
}
