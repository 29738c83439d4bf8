import { CLASSIFICATIONS, type Classification, type ProblemItem } from '@lgsp/contracts';

import type { CreateRegistrationDto } from './dto/create-registration.dto';

/** The rules a well-formed registration can still break; each is named in its 422 problem. */
export const RegistrationRule = {
  TuyetMatRefused: 'tuyet-mat-refused',
  ClassifiedNeedsPartyWan: 'classified-needs-party-wan',
  DataAboveDeclaredClassification: 'data-above-declared-classification',
  ApiUnknown: 'api-unknown',
  ClassificationBelowApi: 'classification-below-api',
  LimitNeedsReason: 'limit-needs-reason',
} as const;

export interface RequestableApi {
  readonly classification: Classification;
}

export interface RegistrationRuleContext {
  /** Published or deprecated API versions by `${domain} ${version}`. */
  readonly apis: ReadonlyMap<string, RequestableApi>;
  readonly defaultReadPerMinute: number;
  readonly defaultWritePerMinute: number;
}

const rank = (classification: Classification): number => CLASSIFICATIONS.indexOf(classification);
const isClassified = (classification: Classification): boolean => classification === 'mat' || classification === 'toi-mat';

/** Every rule the registration breaks, each located by JSON pointer; empty when it may be submitted. */
export function registrationRuleViolations(form: CreateRegistrationDto, context: RegistrationRuleContext): ProblemItem[] {
  const items: ProblemItem[] = [];
  const add = (rule: string, location: string, message: string): void => void items.push({ location, message, rule });

  if (form.maxClassification === 'tuyet-mat') {
    add(RegistrationRule.TuyetMatRefused, '/maxClassification', 'Tuyệt mật data never crosses the platform: such a system cannot be connected');
  }
  form.data.forEach((row, i) => {
    if (row.classification === 'tuyet-mat') {
      add(RegistrationRule.TuyetMatRefused, `/data/${i}/classification`, 'Tuyệt mật data never crosses the platform');
    } else if (rank(row.classification) > rank(form.maxClassification)) {
      add(
        RegistrationRule.DataAboveDeclaredClassification,
        `/data/${i}/classification`,
        `${row.classification} data is above the system's declared highest classification (${form.maxClassification})`,
      );
    }
    const api = context.apis.get(`${row.api} ${row.version}`);
    if (api === undefined) {
      add(RegistrationRule.ApiUnknown, `/data/${i}/api`, `No published API ${row.api} ${row.version}`);
    } else if (rank(row.classification) < rank(api.classification)) {
      add(RegistrationRule.ClassificationBelowApi, `/data/${i}/classification`, `${row.api} ${row.version} is classified ${api.classification}, not ${row.classification}`);
    }
  });
  const classified = isClassified(form.maxClassification) || form.data.some((row) => isClassified(row.classification));
  if (classified && form.connectionOption !== 1) {
    add(RegistrationRule.ClassifiedNeedsPartyWan, '/connectionOption', 'Mật and Tối mật data are only exchanged over the Party wide-area network: connection option 1');
  }
  const limits = form.limits;
  if (limits !== undefined && limits.reason === undefined) {
    if ((limits.readPerMinute ?? 0) > context.defaultReadPerMinute) {
      add(RegistrationRule.LimitNeedsReason, '/limits/reason', `A read rate above ${context.defaultReadPerMinute} per minute needs a written reason`);
    }
    if ((limits.writePerMinute ?? 0) > context.defaultWritePerMinute) {
      add(RegistrationRule.LimitNeedsReason, '/limits/reason', `A write rate above ${context.defaultWritePerMinute} per minute needs a written reason`);
    }
  }
  return items;
}
