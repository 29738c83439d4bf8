import { ErrorCode, LgspError } from '@lgsp/contracts';

export const OrganisationError = {
  notFound: (id: string): LgspError => new LgspError(ErrorCode.NotFound, `No organisation has the id ${id}`),
} as const;
