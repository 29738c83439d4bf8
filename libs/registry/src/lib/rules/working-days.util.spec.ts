import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { dayOfWeek, vietnamDateOf } from './vietnam-date.util';
import { dueDateOf } from './working-days.util';

const due = (submittedAt: string, workingDays = 5, holidays?: ReadonlySet<string>) =>
  dueDateOf(new Date(submittedAt), workingDays, holidays).toISOString();

describe('dueDateOf', () => {
  it('gives a Friday-morning submission until the end of the next Friday, Vietnam time', () => {
    // Fri 2026-11-20 10:00 ICT: Mon 23 .. Fri 27 are the five working days.
    expect(due('2026-11-20T10:00:00+07:00')).toBe('2026-11-27T17:00:00.000Z');
  });

  it('never counts the day of submission, whatever the hour', () => {
    expect(due('2026-11-23T00:00:00+07:00')).toBe('2026-11-30T17:00:00.000Z');
    expect(due('2026-11-23T23:59:59+07:00')).toBe('2026-11-30T17:00:00.000Z');
  });

  describe('around midnight in Vietnam', () => {
    it('counts a submission at 23:30 ICT on Thursday from Friday', () => {
      expect(due('2026-11-19T16:30:00Z')).toBe('2026-11-26T17:00:00.000Z');
    });

    it('counts a submission at 00:30 ICT on Friday (still Thursday in UTC) from Monday', () => {
      expect(due('2026-11-19T17:30:00Z')).toBe('2026-11-27T17:00:00.000Z');
    });

    it('counts a submission at 00:30 ICT on Saturday (still Friday in UTC) from Monday', () => {
      expect(due('2026-11-20T17:30:00Z')).toBe('2026-11-27T17:00:00.000Z');
    });

    it('treats 17:00:00.000Z as the first instant of the next Vietnam day', () => {
      expect(due('2026-11-18T16:59:59.999Z', 1)).toBe('2026-11-19T17:00:00.000Z');
      expect(due('2026-11-18T17:00:00.000Z', 1)).toBe('2026-11-20T17:00:00.000Z');
    });
  });

  it('counts a weekend submission from Monday as day 1', () => {
    expect(due('2026-11-21T09:00:00+07:00')).toBe('2026-11-27T17:00:00.000Z');
    expect(due('2026-11-22T21:00:00+07:00')).toBe('2026-11-27T17:00:00.000Z');
  });

  describe('with one working day', () => {
    it('is due at the end of the next working day', () => {
      expect(due('2026-11-19T10:00:00+07:00', 1)).toBe('2026-11-20T17:00:00.000Z');
      expect(due('2026-11-20T10:00:00+07:00', 1)).toBe('2026-11-23T17:00:00.000Z');
      expect(due('2026-11-21T10:00:00+07:00', 1)).toBe('2026-11-23T17:00:00.000Z');
    });

    it('skips a holiday that falls on that day', () => {
      expect(due('2026-11-20T10:00:00+07:00', 1, new Set(['2026-11-23']))).toBe('2026-11-24T17:00:00.000Z');
    });
  });

  describe('with holidays', () => {
    it('does not count them', () => {
      // Mon 23, Thu 26, Fri 27, Mon 30, Tue 1 December.
      expect(due('2026-11-20T10:00:00+07:00', 5, new Set(['2026-11-24', '2026-11-25']))).toBe(
        '2026-12-01T17:00:00.000Z',
      );
    });

    it('carries a deadline over New Year', () => {
      // Thu 31 December; Fri 1 January is a public holiday: Mon 4 .. Fri 8 January.
      expect(due('2026-12-31T15:00:00+07:00', 5, new Set(['2027-01-01']))).toBe('2027-01-08T17:00:00.000Z');
    });

    it('changes nothing when they fall on a weekend or on the day of submission', () => {
      const weekend = new Set(['2026-11-21', '2026-11-22']);
      expect(due('2026-11-20T10:00:00+07:00', 5, weekend)).toBe('2026-11-27T17:00:00.000Z');
      expect(due('2026-11-23T10:00:00+07:00', 5, new Set(['2026-11-23']))).toBe('2026-11-30T17:00:00.000Z');
    });

    it('refuses a holiday that is not a YYYY-MM-DD date, which would otherwise count as a working day', () => {
      expect(() => due('2026-11-20T10:00:00+07:00', 5, new Set(['2026-9-2']))).toThrow(
        "Holiday is not a calendar date (YYYY-MM-DD): '2026-9-2'",
      );
    });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %p working days', (days) => {
    expect(() => due('2026-11-20T10:00:00+07:00', days)).toThrow(RangeError);
  });

  it('refuses an invalid submission date', () => {
    expect(() => dueDateOf(new Date('not a date'), 5)).toThrow(RangeError);
  });

  it('ends every deadline at 24:00 ICT of a working day, later for later submissions', () => {
    const holidays = new Set(['2026-11-25']);
    let previous = 0;
    for (let t = Date.parse('2026-11-14T00:00:00Z'); t < Date.parse('2026-12-05T00:00:00Z'); t += 30 * 60_000) {
      const deadline = dueDateOf(new Date(t), 5, holidays);
      const lastDay = vietnamDateOf(new Date(deadline.getTime() - 1));
      expect(deadline.toISOString().slice(11)).toBe('17:00:00.000Z');
      expect([1, 2, 3, 4, 5]).toContain(dayOfWeek(lastDay));
      expect(holidays.has(lastDay)).toBe(false);
      expect(deadline.getTime()).toBeGreaterThanOrEqual(previous);
      expect(deadline.getTime() - t).toBeGreaterThan(5 * 86_400_000);
      previous = deadline.getTime();
    }
  });

  it("gives the same deadlines whatever the machine's time zone", () => {
    // Jest gives each spec a copy of process.env, so the zone is switched in a process of its own.
    const root = join(__dirname, '../../../../..');
    const script = `
      const { dueDateOf } = require(${JSON.stringify(join(__dirname, 'working-days.util.ts'))});
      const zones = ['America/New_York', 'Pacific/Kiritimati', 'Asia/Ho_Chi_Minh', 'UTC'];
      console.log(JSON.stringify(zones.map((zone) => {
        process.env.TZ = zone;
        return [
          zone,
          new Date('2026-11-20T03:00:00Z').getHours(),
          dueDateOf(new Date('2026-11-20T10:00:00+07:00'), 5).toISOString(),
          dueDateOf(new Date('2026-11-19T16:30:00Z'), 5).toISOString(),
          dueDateOf(new Date('2026-11-20T17:30:00Z'), 1, new Set(['2026-11-23'])).toISOString(),
        ];
      })));`;
    const output = execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
      cwd: root,
      env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.runtime.json') },
      encoding: 'utf8',
    });
    const deadlines = ['2026-11-27T17:00:00.000Z', '2026-11-26T17:00:00.000Z', '2026-11-24T17:00:00.000Z'];
    expect(JSON.parse(output)).toEqual([
      // The local hour shows the zone really applied.
      ['America/New_York', 22, ...deadlines],
      ['Pacific/Kiritimati', 17, ...deadlines],
      ['Asia/Ho_Chi_Minh', 10, ...deadlines],
      ['UTC', 3, ...deadlines],
    ]);
  });
});
