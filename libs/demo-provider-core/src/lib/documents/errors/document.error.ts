import { ErrorCode, LgspError } from '@lgsp/contracts';

import { PreconditionFailedError } from '../../common/precondition.error';

/** Every refusal of the documents feature, with its contract code. */
export const DocumentError = {
  notFound: (id: string): LgspError => new LgspError(ErrorCode.NotFound, `No document has the id ${id}`),

  organisationUnknown: (organisationId: string): LgspError =>
    new LgspError(ErrorCode.Unprocessable, `The organisation ${organisationId} does not exist`, [
      { location: 'organisationId', message: `no organisation has the id ${organisationId}` },
    ]),

  numberTaken: (organisationId: string, number: string): LgspError =>
    new LgspError(ErrorCode.Unprocessable, `The organisation ${organisationId} already has a document numbered ${number}`, [
      { location: 'number', message: `${number} is already used by another document of ${organisationId}` },
    ]),

  effectiveBeforeIssue: (): LgspError =>
    new LgspError(ErrorCode.Unprocessable, 'A document cannot take effect before it is issued', [
      { location: 'effectiveFrom', message: 'effectiveFrom must not be before issuedAt' },
    ]),

  stale: (id: string, version: number): PreconditionFailedError =>
    new PreconditionFailedError(`If-Match does not match the current ETag of document ${id}, "${version}"`),
} as const;
