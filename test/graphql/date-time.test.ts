/**
 * The DateTime scalar's parser (src/graphql/date-time.ts): strict RFC 3339 with a real
 * calendar date, within the range PostgreSQL timestamptz and JavaScript Date both hold;
 * and its output, remembered per instant.
 */
import { DATE_TIME_MAX, DATE_TIME_MIN, DATE_TIME_TEXT_MEMO_SIZE, formatDateTime, parseDateTime } from '../../src/graphql/date-time.ts';

describe('parseDateTime', () => {
  it('reads the instant in UTC, applying the offset', () => {
    expect(parseDateTime('2026-03-01T16:30:00.25+08:00').toISOString()).toBe('2026-03-01T08:30:00.250Z');
    expect(parseDateTime('2026-03-01t08:30:00z').toISOString()).toBe('2026-03-01T08:30:00.000Z');
    expect(parseDateTime('2026-02-28T20:00:00-05:30').toISOString()).toBe('2026-03-01T01:30:00.000Z');
  });

  it('holds its range at both ends and refuses one millisecond beyond', () => {
    expect(parseDateTime('0001-01-01T00:00:00Z')).toEqual(DATE_TIME_MIN);
    expect(parseDateTime('9999-12-31T23:59:59.999Z')).toEqual(DATE_TIME_MAX);
    expect(parseDateTime('0099-06-01T00:00:00Z').toISOString()).toBe('0099-06-01T00:00:00.000Z');
    expect(() => parseDateTime('0001-01-01T00:00:00.000+00:01')).toThrow(/outside/u);
    expect(() => parseDateTime('9999-12-31T23:59:59.999-00:01')).toThrow(/outside/u);
  });

  it('knows the leap years of the Gregorian calendar', () => {
    for (const year of ['2000', '2024', '1600']) expect(parseDateTime(`${year}-02-29T00:00:00Z`).getUTCDate()).toBe(29);
    for (const year of ['1900', '2025', '2100']) expect(() => parseDateTime(`${year}-02-29T00:00:00Z`)).toThrow(/does not exist/u);
  });

  it.each(['2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-01-00T00:00:00Z', '2026-06-31T00:00:00Z', '2026-01-01T23:60:00Z', ' 2026-01-01T00:00:00Z', '2026-01-01 00:00:00Z', 12345, null])(
    'refuses %p',
    (value) => {
      expect(() => parseDateTime(value)).toThrow();
    },
  );
});

describe('formatDateTime', () => {
  it('gives the text of the instant the Date holds now, even after the same Date changed', () => {
    const date = new Date('2026-03-01T08:30:00.250Z');
    expect(formatDateTime(date)).toBe('2026-03-01T08:30:00.250Z');
    date.setTime(Date.UTC(1999, 11, 31, 23, 59, 59, 999));
    expect(formatDateTime(date)).toBe('1999-12-31T23:59:59.999Z');
    expect(formatDateTime(DATE_TIME_MIN)).toBe('0001-01-01T00:00:00.000Z');
    expect(formatDateTime(DATE_TIME_MAX)).toBe('9999-12-31T23:59:59.999Z');
  });

  it('stays right for more instants than it remembers', () => {
    const start = Date.UTC(2026, 0, 1);
    const wrong: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (let index = 0; index < DATE_TIME_TEXT_MEMO_SIZE * 2 + 7; index++) {
        const date = new Date(start + index * 1_001);
        if (formatDateTime(date) !== date.toISOString()) wrong.push(index);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses an invalid Date as toISOString does', () => {
    expect(() => formatDateTime(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => formatDateTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
