/**
 * A fast RFC 8785 serialiser for the audit's hot loop. RFC 8785 defines strings and
 * numbers by ECMAScript's JSON.stringify and orders object keys by UTF-16 code units,
 * which is what Array.prototype.sort does; so for the plain JSON values read back from
 * the database this gives the same text as the `canonicalize` package, several times
 * faster. The package stays the definition: the audit only reports a mismatch after
 * re-checking with it (see audit.ts), so a divergence here could cost speed, never a
 * false alarm.
 */
import type { LedgerEntry } from './entry-encoding.ts';

function serialize(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let text = '{';
  for (let position = 0; position < keys.length; position++) {
    const key = keys[position]!;
    text += `${position === 0 ? '' : ','}${JSON.stringify(key)}:${serialize(record[key])}`;
  }
  return `${text}}`;
}

const encoder = new TextEncoder();

export function fastEntryLeafBytes(entry: LedgerEntry): Uint8Array {
  return encoder.encode(
    `{"actor":${JSON.stringify(entry.actor)},"payload":${serialize(entry.payload)},"seq":${entry.seq},"time":"${entry.time.toISOString()}","type":${JSON.stringify(entry.type)}}`,
  );
}
