import {
  checkLifecycleTransition,
  type LifecycleSuccessor,
  type LifecycleTarget,
  type LifecycleVersion,
} from './lifecycle.rules';

// 10:00 ICT on Monday 2026-11-23: today + 60 days is 2027-01-22.
const NOW = new Date('2026-11-23T03:00:00Z');
const PUBLISHED: LifecycleVersion = { status: 'published', publishedAt: new Date('2025-01-06T03:00:00Z') };
// Published on 2026-11-20 in Vietnam: 180 days later is 2027-05-19.
const V2: LifecycleSuccessor = { version: 'v2', publishedAt: new Date('2026-11-20T02:00:00Z') };

const deprecate = (sunset: string): LifecycleTarget => ({ status: 'deprecated', sunset });
const deprecated = (sunset: string, deprecatedAt?: Date): LifecycleVersion => ({
  status: 'deprecated',
  sunset,
  publishedAt: PUBLISHED.publishedAt,
  ...(deprecatedAt && { deprecatedAt }),
});
const RETIRE: LifecycleTarget = { status: 'retired' };
const check = (current: LifecycleVersion, target: LifecycleTarget, successor?: LifecycleSuccessor, now = NOW) =>
  checkLifecycleTransition(current, target, successor, now);

describe('checkLifecycleTransition', () => {
  describe('allowed steps', () => {
    it('publishes a draft', () => {
      expect(check({ status: 'draft' }, { status: 'published' })).toEqual({
        allowed: true,
      });
    });

    it('un-deprecates a deprecated version, successor or not', () => {
      expect(check(deprecated('2027-06-01'), { status: 'published' }, V2)).toEqual({
        allowed: true,
      });
    });
  });

  describe('transition-not-allowed', () => {
    it.each<[string, LifecycleVersion, LifecycleTarget, string]>([
      [
        'published → retired',
        PUBLISHED,
        RETIRE,
        'A published version cannot be retired directly: deprecate it first with a sunset at least 60 days ahead.',
      ],
      ['published → published', PUBLISHED, { status: 'published' }, 'The version is already published.'],
      [
        'draft → deprecated',
        { status: 'draft' },
        deprecate('2027-06-01'),
        'A draft can only be published, not made deprecated.',
      ],
      ['draft → retired', { status: 'draft' }, RETIRE, 'A draft can only be published, not made retired.'],
      [
        'retired → published',
        { status: 'retired', sunset: '2026-01-01' },
        { status: 'published' },
        'A retired version is final: it cannot become published.',
      ],
      [
        'retired → deprecated',
        { status: 'retired', sunset: '2026-01-01' },
        deprecate('2027-06-01'),
        'A retired version is final: it cannot become deprecated.',
      ],
      [
        'retired → retired',
        { status: 'retired', sunset: '2026-01-01' },
        RETIRE,
        'A retired version is final: it cannot become retired.',
      ],
    ])('refuses %s', (_step, current, target, detail) => {
      expect(check(current, target)).toEqual({
        allowed: false,
        rule: 'transition-not-allowed',
        detail,
      });
    });
  });

  describe('published → deprecated', () => {
    const missing = 'Deprecation needs a sunset date (YYYY-MM-DD), the day retirement may start.';
    const wrong = (sunset: string) => `Deprecation needs a sunset date (YYYY-MM-DD): '${sunset}' is not a date.`;
    it.each([
      ['no sunset', undefined, missing],
      ['an empty sunset', '', missing],
      ['a sunset that is not a date', 'next year', wrong('next year')],
      ['a sunset that does not exist', '2027-02-30', wrong('2027-02-30')],
      ['a sunset with a time', '2027-06-01T00:00:00Z', wrong('2027-06-01T00:00:00Z')],
    ])('refuses %s with sunset-required', (_name, sunset, detail) => {
      // A request body may leave the sunset out whatever the type says.
      const target = { status: 'deprecated', sunset } as LifecycleTarget;
      expect(check(PUBLISHED, target)).toEqual({
        allowed: false,
        rule: 'sunset-required',
        detail,
      });
    });

    describe('sunset-notice-60-days', () => {
      it('allows a sunset exactly 60 days ahead', () => {
        expect(check(PUBLISHED, deprecate('2027-01-22'))).toEqual({ allowed: true });
      });

      it('refuses a sunset 59 days ahead, naming the earliest sunset', () => {
        expect(check(PUBLISHED, deprecate('2027-01-21'))).toEqual({
          allowed: false,
          rule: 'sunset-notice-60-days',
          detail: 'Retirement must be announced at least 60 days ahead: the earliest sunset is 2027-01-22.',
          earliest: '2027-01-22',
        });
      });

      it('refuses a sunset in the past', () => {
        expect(check(PUBLISHED, deprecate('2026-11-01'))).toMatchObject({
          rule: 'sunset-notice-60-days',
          earliest: '2027-01-22',
        });
      });

      it('counts from the Vietnam date, which turns at 17:00 UTC', () => {
        // 00:00 ICT on 2026-11-23, still the 22nd in UTC.
        expect(check(PUBLISHED, deprecate('2027-01-22'), undefined, new Date('2026-11-22T17:00:00Z'))).toEqual({
          allowed: true,
        });
        // 00:30 ICT on 2026-11-24, still the 23rd in UTC.
        expect(
          check(PUBLISHED, deprecate('2027-01-22'), undefined, new Date('2026-11-23T17:30:00Z')),
        ).toMatchObject({ allowed: false, rule: 'sunset-notice-60-days', earliest: '2027-01-23' });
      });
    });

    describe('successor-overlap-180-days', () => {
      it('allows a sunset exactly 180 days after the successor was published', () => {
        expect(check(PUBLISHED, deprecate('2027-05-19'), V2)).toEqual({ allowed: true });
      });

      it('refuses a sunset one day earlier, naming the successor and the earliest sunset', () => {
        expect(check(PUBLISHED, deprecate('2027-05-18'), V2)).toEqual({
          allowed: false,
          rule: 'successor-overlap-180-days',
          detail:
            'The previous version must stay in service at least 180 days after its successor v2 was published on ' +
            '2026-11-20: the earliest sunset is 2027-05-19.',
          earliest: '2027-05-19',
        });
      });

      it('counts from the Vietnam date of publication', () => {
        // 01:00 ICT on 2026-11-21.
        const lateV2 = { version: 'v2', publishedAt: new Date('2026-11-20T18:00:00Z') };
        expect(check(PUBLISHED, deprecate('2027-05-19'), lateV2, NOW)).toMatchObject({
          rule: 'successor-overlap-180-days',
          earliest: '2027-05-20',
        });
      });

      it('reports the rule with the later date when both refuse, so its earliest satisfies both', () => {
        expect(check(PUBLISHED, deprecate('2027-01-01'), V2)).toMatchObject({
          rule: 'successor-overlap-180-days',
          earliest: '2027-05-19',
        });
        const oldV2 = { version: 'v2', publishedAt: new Date('2026-01-01T03:00:00Z') };
        expect(check(PUBLISHED, deprecate('2027-01-01'), oldV2, NOW)).toMatchObject({
          rule: 'sunset-notice-60-days',
          earliest: '2027-01-22',
        });
      });

      it('no longer binds once the successor has been out 180 days', () => {
        const oldV2 = { version: 'v2', publishedAt: new Date('2026-01-01T03:00:00Z') };
        expect(check(PUBLISHED, deprecate('2027-01-22'), oldV2, NOW)).toEqual({ allowed: true });
      });
    });
  });

  describe('deprecated → deprecated (moving the sunset)', () => {
    it('allows moving it later', () => {
      expect(check(deprecated('2027-06-01'), deprecate('2027-09-01'), V2)).toEqual({
        allowed: true,
      });
    });

    it('allows moving it earlier while both rules hold', () => {
      expect(check(deprecated('2027-09-01'), deprecate('2027-05-19'), V2)).toEqual({
        allowed: true,
      });
    });

    it('applies the 60-day notice to the new date', () => {
      expect(check(deprecated('2027-06-01'), deprecate('2027-01-21'))).toMatchObject({
        rule: 'sunset-notice-60-days',
        earliest: '2027-01-22',
      });
    });

    it('applies the 180-day overlap to the new date', () => {
      expect(check(deprecated('2027-09-01'), deprecate('2027-05-18'), V2)).toMatchObject({
        rule: 'successor-overlap-180-days',
        earliest: '2027-05-19',
      });
    });

    it('requires a valid new sunset', () => {
      expect(check(deprecated('2027-06-01'), deprecate('2027-13-01'))).toMatchObject({
        rule: 'sunset-required',
      });
    });
  });

  describe('deprecated → retired', () => {
    it('is allowed from the start of the sunset day in Vietnam', () => {
      // 00:00 ICT on 2027-01-22.
      expect(check(deprecated('2027-01-22'), RETIRE, undefined, new Date('2027-01-21T17:00:00Z'))).toEqual({
        allowed: true,
      });
    });

    it('is refused the instant before, with the sunset as earliest', () => {
      expect(
        check(deprecated('2027-01-22'), RETIRE, undefined, new Date('2027-01-21T16:59:59.999Z')),
      ).toEqual({
        allowed: false,
        rule: 'sunset-not-reached',
        detail: 'The version can only be retired from its sunset date, 2027-01-22.',
        earliest: '2027-01-22',
      });
    });

    it('is allowed exactly 180 days after the successor was published', () => {
      expect(check(deprecated('2027-01-22'), RETIRE, V2, new Date('2027-05-19T03:00:00Z'))).toEqual({
        allowed: true,
      });
    });

    it('is refused one day earlier, even past the sunset', () => {
      expect(check(deprecated('2027-01-22'), RETIRE, V2, new Date('2027-05-18T03:00:00Z'))).toEqual({
        allowed: false,
        rule: 'successor-overlap-180-days',
        detail:
          'The previous version must stay in service at least 180 days after its successor v2 was published on ' +
          '2026-11-20: it can be retired from 2027-05-19.',
        earliest: '2027-05-19',
      });
    });

    it('names the later of the sunset and the end of the overlap when both refuse', () => {
      expect(check(deprecated('2027-06-01'), RETIRE, V2)).toMatchObject({
        rule: 'sunset-not-reached',
        earliest: '2027-06-01',
      });
      expect(check(deprecated('2027-02-01'), RETIRE, V2)).toMatchObject({
        rule: 'successor-overlap-180-days',
        earliest: '2027-05-19',
      });
    });

    it('counts the 60-day notice from the deprecation when the sunset never went through these rules', () => {
      // A declarative file deprecated the version on 2026-11-23 with a sunset only a week ahead.
      const hasty = deprecated('2026-12-01', new Date('2026-11-23T03:00:00Z'));
      expect(check(hasty, RETIRE, undefined, new Date('2026-12-15T03:00:00Z'))).toEqual({
        allowed: false,
        rule: 'sunset-notice-60-days',
        detail:
          'Retirement must be announced at least 60 days ahead: the version was deprecated on 2026-11-23 and can be ' +
          'retired from 2027-01-22.',
        earliest: '2027-01-22',
      });
      expect(check(hasty, RETIRE, undefined, new Date('2027-01-21T17:00:00Z'))).toEqual({
        allowed: true,
      });
    });

    it('refuses a deprecated version that has no sunset', () => {
      expect(check({ status: 'deprecated' }, RETIRE)).toEqual({
        allowed: false,
        rule: 'sunset-required',
        detail: 'Retirement needs the sunset date announced at deprecation: deprecate the version again with a sunset.',
      });
    });
  });

  it('refuses an invalid now', () => {
    expect(() => check(PUBLISHED, deprecate('2027-06-01'), undefined, new Date('nope'))).toThrow(
      RangeError,
    );
  });
});
