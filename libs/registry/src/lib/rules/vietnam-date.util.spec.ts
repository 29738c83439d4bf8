import { addDays, dayOfWeek, isIsoDate, startOfVietnamDay, vietnamDateOf } from './vietnam-date.util';

describe('isIsoDate', () => {
  it.each(['2026-11-20', '2028-02-29', '2026-12-31'])('accepts %s', (value) => {
    expect(isIsoDate(value)).toBe(true);
  });

  it.each(['2027-02-29', '2026-13-01', '2026-04-31', '2026-1-01', '', '2026-11-20T00:00:00Z', ' 2026-11-20', 'soon'])(
    'refuses %j',
    (value) => {
      expect(isIsoDate(value)).toBe(false);
    },
  );
});

describe('vietnamDateOf', () => {
  it('turns to the next date at 17:00 UTC, midnight in Vietnam', () => {
    expect(vietnamDateOf(new Date('2026-11-20T16:59:59.999Z'))).toBe('2026-11-20');
    expect(vietnamDateOf(new Date('2026-11-20T17:00:00.000Z'))).toBe('2026-11-21');
  });

  it('refuses an invalid date', () => {
    expect(() => vietnamDateOf(new Date('nope'))).toThrow(RangeError);
  });
});

describe('startOfVietnamDay', () => {
  it('is 00:00 ICT, 17:00 UTC the day before', () => {
    expect(startOfVietnamDay('2026-11-21').toISOString()).toBe('2026-11-20T17:00:00.000Z');
    expect(startOfVietnamDay('2027-01-01').toISOString()).toBe('2026-12-31T17:00:00.000Z');
  });

  it('refuses a string that is not a date', () => {
    expect(() => startOfVietnamDay('2026-02-30')).toThrow("Not a calendar date (YYYY-MM-DD): '2026-02-30'");
  });
});

describe('addDays and dayOfWeek', () => {
  it('cross months, years and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-11-23', 60)).toBe('2027-01-22');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
  });

  it('numbers the week from Sunday', () => {
    expect(dayOfWeek('2026-11-22')).toBe(0);
    expect(dayOfWeek('2026-11-20')).toBe(5);
    expect(dayOfWeek('2026-11-21')).toBe(6);
  });
});
