import type { Page, PageRequest } from './page.type';

/** A page beyond the last answers an empty `data` with the true `total`, never an error. */
export function paginate<T>(items: readonly T[], { page, pageSize }: PageRequest): Page<T> {
  const start = (page - 1) * pageSize;
  return { data: items.slice(start, start + pageSize), page, pageSize, total: items.length };
}
