import type { ApiStatus } from '@lgsp/contracts';

import { addDays, isIsoDate, vietnamDateOf } from './vietnam-date.util';

/** Consumers need this long to hear that a version goes away. */
export const SUNSET_NOTICE_DAYS = 60;
/** Consumers need this long to move to the successor while the previous version still answers. */
export const SUCCESSOR_OVERLAP_DAYS = 180;

export interface LifecycleVersion {
  readonly status: ApiStatus;
  /** YYYY-MM-DD, Vietnam date: the version may be retired from the start of that day. */
  readonly sunset?: string;
  readonly publishedAt?: Date;
  readonly deprecatedAt?: Date;
}

/** The next higher version of the same API that is published or deprecated, if any. */
export interface LifecycleSuccessor {
  readonly version: string;
  readonly publishedAt: Date;
}

export type LifecycleTarget =
  | { status: 'published' }
  | { status: 'deprecated'; sunset: string }
  | { status: 'retired' };

export type LifecycleRule =
  | 'transition-not-allowed'
  | 'sunset-required'
  | 'sunset-notice-60-days'
  | 'successor-overlap-180-days'
  | 'sunset-not-reached';

export type LifecycleDecision =
  | { allowed: true }
  | {
      allowed: false;
      rule: LifecycleRule;
      detail: string;
      /** YYYY-MM-DD: the earliest date at which (or sunset with which) the step would be allowed. */
      earliest?: string;
    };

type Refusal = Extract<LifecycleDecision, { allowed: false }>;

const ALLOWED: LifecycleDecision = { allowed: true };
const NOTICE_RULE = `Retirement must be announced at least ${SUNSET_NOTICE_DAYS} days ahead`;

/** Whether a version may take a lifecycle step today, the Vietnam date of `now`. */
export function checkLifecycleTransition(
  current: LifecycleVersion,
  target: LifecycleTarget,
  successor: LifecycleSuccessor | undefined,
  now: Date,
): LifecycleDecision {
  const today = vietnamDateOf(now);
  switch (target.status) {
    case 'published':
      return current.status === 'draft' || current.status === 'deprecated' ? ALLOWED : notAllowed(current, target);
    case 'deprecated':
      return current.status === 'published' || current.status === 'deprecated'
        ? checkSunset(target.sunset, successor, today)
        : notAllowed(current, target);
    case 'retired':
      return current.status === 'deprecated' ? checkRetirement(current, successor, today) : notAllowed(current, target);
  }
}

interface DateBound {
  readonly rule: LifecycleRule;
  readonly earliest: string;
  readonly detail: string;
}

function checkSunset(sunset: string, successor: LifecycleSuccessor | undefined, today: string): LifecycleDecision {
  // Typed as a string, but it comes from a request body: absent and empty are told apart from wrong.
  if (typeof sunset !== 'string' || sunset === '') {
    return refuse('sunset-required', 'Deprecation needs a sunset date (YYYY-MM-DD), the day retirement may start.');
  }
  if (!isIsoDate(sunset)) {
    return refuse('sunset-required', `Deprecation needs a sunset date (YYYY-MM-DD): '${sunset}' is not a date.`);
  }
  const notice = addDays(today, SUNSET_NOTICE_DAYS);
  const bounds: DateBound[] = [
    { rule: 'sunset-notice-60-days', earliest: notice, detail: `${NOTICE_RULE}: the earliest sunset is ${notice}.` },
  ];
  if (successor) {
    const overlapEnd = successorOverlapEnd(successor);
    bounds.push({
      rule: 'successor-overlap-180-days',
      earliest: overlapEnd,
      detail: `${overlapRule(successor)}: the earliest sunset is ${overlapEnd}.`,
    });
  }
  return checkBounds(sunset, bounds);
}

function checkRetirement(
  current: LifecycleVersion,
  successor: LifecycleSuccessor | undefined,
  today: string,
): LifecycleDecision {
  const { sunset, deprecatedAt } = current;
  if (sunset === undefined || !isIsoDate(sunset)) {
    return refuse(
      'sunset-required',
      'Retirement needs the sunset date announced at deprecation: deprecate the version again with a sunset.',
    );
  }
  const bounds: DateBound[] = [
    {
      rule: 'sunset-not-reached',
      earliest: sunset,
      detail: `The version can only be retired from its sunset date, ${sunset}.`,
    },
  ];
  // A sunset set through these rules already gave the notice; one loaded from the declarative file
  // did not, so the notice is also counted from the deprecation itself.
  if (deprecatedAt) {
    const deprecatedOn = vietnamDateOf(deprecatedAt);
    const noticeEnd = addDays(deprecatedOn, SUNSET_NOTICE_DAYS);
    bounds.push({
      rule: 'sunset-notice-60-days',
      earliest: noticeEnd,
      detail: `${NOTICE_RULE}: the version was deprecated on ${deprecatedOn} and can be retired from ${noticeEnd}.`,
    });
  }
  if (successor) {
    const overlapEnd = successorOverlapEnd(successor);
    bounds.push({
      rule: 'successor-overlap-180-days',
      earliest: overlapEnd,
      detail: `${overlapRule(successor)}: it can be retired from ${overlapEnd}.`,
    });
  }
  return checkBounds(today, bounds);
}

/**
 * Refuses a date before any bound, naming the latest bound it misses so that its `earliest` is enough
 * to pass them all. ISO dates compare as strings.
 */
function checkBounds(date: string, bounds: readonly DateBound[]): LifecycleDecision {
  const missed = bounds.filter((bound) => date < bound.earliest);
  const binding = missed.reduce<DateBound | undefined>(
    (latest, bound) => (latest && latest.earliest >= bound.earliest ? latest : bound),
    undefined,
  );
  return binding ? refuse(binding.rule, binding.detail, binding.earliest) : ALLOWED;
}

function successorOverlapEnd(successor: LifecycleSuccessor): string {
  return addDays(vietnamDateOf(successor.publishedAt), SUCCESSOR_OVERLAP_DAYS);
}

function overlapRule(successor: LifecycleSuccessor): string {
  return (
    `The previous version must stay in service at least ${SUCCESSOR_OVERLAP_DAYS} days after its successor ` +
    `${successor.version} was published on ${vietnamDateOf(successor.publishedAt)}`
  );
}

function notAllowed(current: LifecycleVersion, target: LifecycleTarget): Refusal {
  const [from, to] = [current.status, target.status];
  let detail = `A ${from} version cannot become ${to}.`;
  if (from === 'published' && to === 'retired') {
    detail =
      'A published version cannot be retired directly: deprecate it first with a sunset at least ' +
      `${SUNSET_NOTICE_DAYS} days ahead.`;
  } else if (from === 'retired') {
    detail = `A retired version is final: it cannot become ${to}.`;
  } else if (from === 'draft') {
    detail = `A draft can only be published, not made ${to}.`;
  } else if (from === to) {
    detail = `The version is already ${to}.`;
  }
  return refuse('transition-not-allowed', detail);
}

function refuse(rule: LifecycleRule, detail: string, earliest?: string): Refusal {
  return { allowed: false, rule, detail, ...(earliest !== undefined && { earliest }) };
}
