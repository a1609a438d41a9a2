/**
 * The DateTime scalar's parser (src/graphql/date-time.ts): strict RFC 3339 with a real
 * calendar date, within the range PostgreSQL timestamptz and JavaScript Date both hold.
 */
import { DATE_TIME_MAX, DATE_TIME_MIN, parseDateTime } from '../../src/graphql/date-time.ts';

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
