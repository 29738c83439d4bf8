/** A signing key's windows: it signs in [activatesAt, retiresAt) and is published until expiresAt. */
export interface SigningKeyWindow {
  readonly kid: string;
  readonly activatesAt: Date;
  readonly retiresAt: Date;
  readonly expiresAt: Date;
}

export interface SigningKeyTimings {
  /** How long a key signs (LGSP_SIGNING_KEY_ROTATION_DAYS). */
  readonly rotationMs: number;
  /** A key is published at least this long before it signs: twice the verifiers' JWKS refresh. */
  readonly minimumLeadMs: number;
  /** A successor is created once its predecessor retires within this (the lead, plus maintenance rounds). */
  readonly createAheadMs: number;
  /** A key stays published this long after it retires: the longest token lifetime plus clock skew. */
  readonly publishAfterRetirementMs: number;
}

export interface SigningKeyPlan {
  /** Windows of keys to create, in order. */
  readonly create: readonly Omit<SigningKeyWindow, 'kid'>[];
  /** The signing key whose retirement moves later, because its successor comes late (maintenance was down). */
  readonly extend?: SigningKeyWindow;
}

const MAX_KEYS_PER_ROUND = 8;

/** The key that signs at `now`: of those whose window holds it, the one activated last. */
export function signingKeyAt<T extends SigningKeyWindow>(keys: readonly T[], now: Date): T | undefined {
  let found: T | undefined;
  for (const key of keys) {
    if (key.activatesAt <= now && now < key.retiresAt && (found === undefined || key.activatesAt > found.activatesAt)) found = key;
  }
  return found;
}

/**
 * What maintenance must do at `now`, given the keys still published. Nothing signs (the very first
 * start, or after a long outage): a key that activates at once. Otherwise each key's successor is
 * created `createAheadMs` before it retires, activating exactly at that retirement, so it is in
 * the JWKS at least `minimumLeadMs` before it signs; when maintenance comes too late for that, the
 * current key signs longer instead of the successor signing before verifiers can know it.
 */
export function planSigningKeys(keys: readonly SigningKeyWindow[], now: Date, timings: SigningKeyTimings): SigningKeyPlan {
  const create: Omit<SigningKeyWindow, 'kid'>[] = [];
  const windowFrom = (activatesAt: Date) => {
    const retiresAt = new Date(activatesAt.getTime() + timings.rotationMs);
    return { activatesAt, retiresAt, expiresAt: new Date(retiresAt.getTime() + timings.publishAfterRetirementMs) };
  };
  const current = signingKeyAt(keys, now);
  let last = keys.reduce<Omit<SigningKeyWindow, 'kid'> | undefined>((latest, key) => (latest === undefined || key.retiresAt > latest.retiresAt ? key : latest), undefined);
  let extend: SigningKeyWindow | undefined;
  if (current === undefined) {
    const first = windowFrom(now);
    create.push(first);
    if (last === undefined || first.retiresAt > last.retiresAt) last = first;
  }
  while (last !== undefined && last.retiresAt.getTime() - now.getTime() <= timings.createAheadMs && create.length < MAX_KEYS_PER_ROUND) {
    const earliest = new Date(now.getTime() + timings.minimumLeadMs);
    let activatesAt = last.retiresAt;
    if (activatesAt < earliest && current !== undefined && last === current) {
      activatesAt = earliest;
      extend = { kid: current.kid, activatesAt: current.activatesAt, retiresAt: earliest, expiresAt: new Date(earliest.getTime() + timings.publishAfterRetirementMs) };
    }
    const next = windowFrom(activatesAt);
    create.push(next);
    last = next;
  }
  return extend === undefined ? { create } : { create, extend };
}
