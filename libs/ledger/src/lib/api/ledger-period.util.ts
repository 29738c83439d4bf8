import { ErrorCode, LgspError } from '@lgsp/contracts';

import type { StatementParty } from '../store/ledger-store.type';
import { MAX_PERIOD_DAYS } from './ledger-api-options.type';

/** `consumer:<consumer system id>` or `provider:<provider unit id>`. */
export const PARTY_PATTERN = /^(consumer|provider):([A-Za-z0-9][A-Za-z0-9._:-]{0,199})$/;

export function partyOf(text: string): StatementParty {
  const match = PARTY_PATTERN.exec(text);
  if (match === null) throw new LgspError(ErrorCode.ValidationFailed, 'party must be consumer:<id> or provider:<id>', [{ location: 'party', message: 'party must be consumer:<id> or provider:<id>' }]);
  return { kind: match[1] as StatementParty['kind'], id: match[2] };
}

export function partyText(party: StatementParty): string {
  return `${party.kind}:${party.id}`;
}

/** [from, to): `to` after `from`, at most MAX_PERIOD_DAYS long (422 otherwise). */
export function periodOf(from: string, to: string): { from: Date; to: Date } {
  const period = { from: new Date(from), to: new Date(to) };
  if (Number.isNaN(period.from.getTime()) || Number.isNaN(period.to.getTime())) {
    throw new LgspError(ErrorCode.ValidationFailed, 'from and to must be ISO-8601 date-times', [{ location: 'from', message: 'must be an ISO-8601 date-time' }]);
  }
  if (period.to.getTime() <= period.from.getTime()) {
    throw new LgspError(ErrorCode.Unprocessable, 'to must be after from', [{ location: 'to', message: 'must be after from' }]);
  }
  if (period.to.getTime() - period.from.getTime() > MAX_PERIOD_DAYS * 86_400_000) {
    throw new LgspError(ErrorCode.Unprocessable, `The period may not exceed ${MAX_PERIOD_DAYS} days`, [{ location: 'to', message: `at most ${MAX_PERIOD_DAYS} days after from` }]);
  }
  return period;
}
