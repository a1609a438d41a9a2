/**
 * Civil dates — a day on the community's calendar, written "YYYY-MM-DD" — and day
 * numbers (days since 1970-01-01), computed with integer arithmetic only (Howard
 * Hinnant's days_from_civil / civil_from_days). Due dates, grace periods, ageing and
 * reminders count whole days on the community's calendar, so nothing here depends on the
 * server's local time zone or on floating point.
 *
 * The only place an instant meets a calendar is `civilDateAt`, which asks Intl for the
 * date in the community's time zone (Asia/Shanghai unless the community says otherwise).
 *
 * NOTE: this file belongs to no single domain; fees and funds both use it. It lives in
 * funds (the lower layer) until the house gets a shared home for calendar code.
 */
import { InvalidInputError } from '../domain-error.ts';

export type CivilDate = string;

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
/** The calendar money code accepts: wide enough for any schedule, narrow enough to catch a typo. */
export const MIN_CIVIL_YEAR = 2000;
export const MAX_CIVIL_YEAR = 2199;

const CIVIL_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CivilDateParts {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function parseCivilDate(date: string, parameter = 'date'): CivilDateParts {
  const match = CIVIL_DATE_PATTERN.exec(date);
  if (!match) throw new InvalidInputError(parameter, 'must be a date written YYYY-MM-DD');
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < MIN_CIVIL_YEAR || year > MAX_CIVIL_YEAR) {
    throw new InvalidInputError(parameter, `must fall in the years ${MIN_CIVIL_YEAR} to ${MAX_CIVIL_YEAR}`);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new InvalidInputError(parameter, 'is not a day of the calendar');
  }
  return { year, month, day };
}

export function assertCivilDate(date: string, parameter = 'date'): void {
  parseCivilDate(date, parameter);
}

export function formatCivilDate({ year, month, day }: CivilDateParts): CivilDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Days since 1970-01-01 (which is day 0). */
export function dayNumber(date: CivilDate): number {
  const { year, month, day } = parseCivilDate(date);
  const shiftedYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(shiftedYear / 400);
  const yearOfEra = shiftedYear - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export function civilDateOfDayNumber(days: number): CivilDate {
  if (!Number.isSafeInteger(days)) throw new InvalidInputError('days', 'must be a whole number');
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const date = formatCivilDate({ year, month, day });
  parseCivilDate(date, 'days');
  return date;
}

export function addDays(date: CivilDate, days: number): CivilDate {
  return civilDateOfDayNumber(dayNumber(date) + days);
}

/** Whole days from `from` to `to`; negative when `to` comes first. */
export function daysBetween(from: CivilDate, to: CivilDate): number {
  return dayNumber(to) - dayNumber(from);
}

/** Civil dates written YYYY-MM-DD sort as strings; this says so once. */
export function compareCivilDates(a: CivilDate, b: CivilDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Most time zones whose formatter is kept; a community has one, an installation a handful. */
export const MAX_CACHED_TIME_ZONES = 64;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        calendar: 'gregory',
        numberingSystem: 'latn',
      });
    } catch {
      throw new InvalidInputError('timeZone', 'must be an IANA time zone such as Asia/Shanghai');
    }
    if (formatters.size >= MAX_CACHED_TIME_ZONES) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The civil date of an instant in a time zone: the one bridge from clock time to the calendar. */
export function civilDateAt(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): CivilDate {
  if (Number.isNaN(instant.getTime())) throw new InvalidInputError('instant', 'must be a valid time');
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: string) => Number(parts.find((candidate) => candidate.type === type)?.value);
  const date = formatCivilDate({ year: part('year'), month: part('month'), day: part('day') });
  parseCivilDate(date, 'instant');
  return date;
}
