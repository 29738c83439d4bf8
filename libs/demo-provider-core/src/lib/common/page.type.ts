/** One page of a list: the items and where they sit in the whole result. */
export interface Page<T> {
  readonly data: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

export interface PageRequest {
  readonly page: number;
  readonly pageSize: number;
}
