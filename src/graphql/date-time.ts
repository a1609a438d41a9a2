/**
 * The DateTime scalar's parsing: RFC 3339 `date-time`, strictly.
 *
 *   2026-03-01T08:30:00Z   2026-03-01T16:30:00.250+08:00   (T and Z may be lower case)
 *
 * - The date must exist in the proleptic Gregorian calendar: 2026-02-30 is refused,
 *   never rolled over to 2 March as `new Date()` would.
 * - A time zone is required (`Z` or ±hh:mm, offsets up to ±23:59); the instant is UTC.
 * - At most three fractional digits: the API keeps milliseconds (JavaScript Date) and
 *   an instant with more precision would be silently rounded.
 * - Seconds 00–59: a leap second (:60) has no JavaScript Date.
 * - The instant, converted to UTC, lies in [DATE_TIME_MIN, DATE_TIME_MAX] =
 *   [0001-01-01T00:00:00.000Z, 9999-12-31T23:59:59.999Z]: RFC 3339 years have four digits
 *   (no expanded ±YYYYYY years), year 0000 does not exist for PostgreSQL (1 BC), and this
 *   range fits both PostgreSQL timestamptz (4713 BC–294276 AD) and JavaScript Date
 *   (±275,760 years), so a parsed value always reaches the database intact.
 */
export const DATE_TIME_MIN = new Date('0001-01-01T00:00:00.000Z');
export const DATE_TIME_MAX = new Date('9999-12-31T23:59:59.999Z');

const RFC_3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/u;
/** Longest text worth matching: 2026-03-01T16:30:00.250+08:00 is 29 characters. */
const MAX_TEXT_LENGTH = 40;

export class DateTimeFormatError extends Error {
  override name = 'DateTimeFormatError';
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The instant an RFC 3339 text names, or a DateTimeFormatError saying which rule it broke (never quoting it). */
export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || value.length > MAX_TEXT_LENGTH) throw new DateTimeFormatError('must be an RFC 3339 date-time string');
  const match = RFC_3339.exec(value);
  if (!match) throw new DateTimeFormatError('must be an RFC 3339 date-time with a time zone, e.g. 2030-01-15T08:30:00+08:00, with at most 3 fractional digits');
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const milliseconds = match[7] ? Number(match[7].padEnd(3, '0')) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw new DateTimeFormatError('names a day that does not exist');
  if (hour > 23 || minute > 59 || second > 59) throw new DateTimeFormatError('names a time of day that does not exist (hours 00–23, seconds 00–59)');
  let offsetMinutes = 0;
  if (!match[8]) {
    const offsetHours = Number(match[10]);
    const offsetRest = Number(match[11]);
    if (offsetHours > 23 || offsetRest > 59) throw new DateTimeFormatError('has a time zone offset out of range (±23:59)');
    offsetMinutes = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetRest);
  }
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, milliseconds));
  date.setUTCFullYear(year);
  const instant = new Date(date.getTime() - offsetMinutes * 60_000);
  if (instant < DATE_TIME_MIN || instant > DATE_TIME_MAX) {
    throw new DateTimeFormatError('lies outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z');
  }
  return instant;
}

/** Instants whose text formatDateTime remembers; when full, it starts over. */
export const DATE_TIME_TEXT_MEMO_SIZE = 10_000;
const dateTimeTexts = new Map<number, string>();

/**
 * The DateTime scalar's output, `toISOString()` (2026-03-01T08:30:00.000Z), remembered per
 * instant: the text depends on the millisecond value alone, not on the Date object (which
 * may change), and working it out costs about a microsecond, which adds up over pages of
 * entries and records read again and again. An invalid Date throws a RangeError, as
 * `toISOString` does, and is never remembered.
 */
export function formatDateTime(value: Date): string {
  const milliseconds = value.getTime();
  let text = dateTimeTexts.get(milliseconds);
  if (text === undefined) {
    text = value.toISOString();
    if (dateTimeTexts.size >= DATE_TIME_TEXT_MEMO_SIZE) dateTimeTexts.clear();
    dateTimeTexts.set(milliseconds, text);
  }
  return text;
}
