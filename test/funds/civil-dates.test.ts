import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  addDays,
  civilDateAt,
  civilDateOfDayNumber,
  dayNumber,
  daysBetween,
  daysInMonth,
  MAX_CIVIL_YEAR,
  MIN_CIVIL_YEAR,
  parseCivilDate,
} from '../../src/funds/civil-dates.ts';
import { InvalidInputError } from '../../src/domain-error.ts';

const MS_PER_DAY = 86_400_000;

describe('civil dates', () => {
  test('day numbers agree with the proleptic Gregorian calendar of Date.UTC, both ways', () => {
    const first = Date.UTC(MIN_CIVIL_YEAR, 0, 1) / MS_PER_DAY;
    const last = Date.UTC(MAX_CIVIL_YEAR, 11, 31) / MS_PER_DAY;
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), (days) => {
        const expected = new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
        expect(civilDateOfDayNumber(days)).toBe(expected);
        expect(dayNumber(expected)).toBe(days);
      }),
      { numRuns: 1_000 },
    );
  });

  test('knows month lengths and leap years, including the century rules', () => {
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2026, 4)).toBe(30);
    expect(daysInMonth(2026, 12)).toBe(31);
  });

  test('adds days across month and year ends', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-01-15', '2026-03-15')).toBe(59);
  });

  test.each([
    '2026-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-1-01',
    '26-01-01',
    '2026-01-01T00:00',
    '1999-12-31',
    '2200-01-01',
    '',
  ])('refuses %j as a civil date', (text) => {
    expect(() => parseCivilDate(text, 'dueDate')).toThrow(InvalidInputError);
    expect(() => parseCivilDate(text, 'dueDate')).toThrow(/dueDate/);
  });

  test('reads the civil date of an instant in the community’s time zone, not the server’s', () => {
    // 16:30 UTC on 31 January is 00:30 on 1 February in Shanghai (UTC+8, no daylight saving).
    const instant = new Date('2026-01-31T16:30:00Z');
    expect(civilDateAt(instant)).toBe('2026-02-01');
    expect(civilDateAt(instant, 'Asia/Shanghai')).toBe('2026-02-01');
    expect(civilDateAt(instant, 'UTC')).toBe('2026-01-31');
    expect(civilDateAt(new Date('2026-01-31T15:59:59.999Z'))).toBe('2026-01-31');
  });

  test('refuses an unknown time zone and an invalid instant', () => {
    expect(() => civilDateAt(new Date(), 'Mars/Olympus')).toThrow(/timeZone/);
    expect(() => civilDateAt(new Date(Number.NaN))).toThrow(/instant/);
  });
});
