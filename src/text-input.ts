/**
 * The one rule for text a person types: names, titles, labels, comments. Every domain
 * checks such text with `requireText` (in its core) and every GraphQL argument carrying
 * it with `textArgument` (src/graphql/text-argument.ts), which applies the same rule, so
 * bad text is refused at the boundary with an INVALID_INPUT naming the parameter — never
 * by the database with a masked error.
 *
 * Refused, because no person means them and each breaks something downstream:
 *
 * - C0 and C1 control characters and DEL: PostgreSQL cannot store NUL in text at all,
 *   and the others garble logs and terminals (escape sequences). Multi-line text (a
 *   comment) may hold line feeds and tabs; `\r` is refused, so a line break is one thing.
 * - Unpaired UTF-16 surrogates: they have no UTF-8 encoding and would be silently
 *   replaced by U+FFFD on the way to the database.
 * - Bidirectional embedding, override and isolate controls (U+202A–U+202E,
 *   U+2066–U+2069): they make text display in another order than it is stored
 *   ("Trojan Source"), which is how names are spoofed.
 *
 * Everything else is accepted: any script, emoji, joiners. Accepted text is trimmed and
 * Unicode-normalised to NFC, so "é" typed as one code point or as "e" + U+0301 is stored,
 * compared and indexed as the same name. Lengths count Unicode code points of the
 * normalised text — what PostgreSQL's varchar(n) counts — the same everywhere
 * (`textLength`), so "阳光花园" is 4 and "🌻" is 1, and a checked text always fits its
 * column.
 *
 * Below this rule, `stringInputProblem` is the floor for every String a client sends at
 * all (codes, cursors, proofs too): no unpaired surrogate, no bidirectional control, no
 * control character but the JSON whitespace `\t`, `\n`, `\r`. The GraphQL layer applies
 * it to every String argument and input field (src/graphql/string-arguments.ts).
 */
import { InvalidInputError } from './domain-error.ts';

export interface TextRule {
  /** Longest text accepted, in Unicode code points, after trimming and NFC normalisation. */
  maxLength: number;
  /** Shortest, after trimming; 1 unless the text may be empty. */
  minLength?: number;
  /** Allow line feeds and tabs (comments, descriptions). */
  multiline?: boolean;
}

/** \p{Cc} is C0, DEL and C1: U+0000–U+001F and U+007F–U+009F. */
const SINGLE_LINE_FORBIDDEN = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
const MULTILINE_FORBIDDEN = /(?![\n\t])[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
const ANY_STRING_FORBIDDEN = /(?![\n\t\r])[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

/** The length of a text as this rule and PostgreSQL count it: Unicode code points. */
export function textLength(value: string): number {
  let length = 0;
  for (const _codePoint of value) length += 1;
  return length;
}

/** The form text is stored and compared in: trimmed, NFC. Only for text that passed `textProblem`. */
export function normaliseText(value: string): string {
  return value.trim().normalize('NFC');
}

/** Why a String breaks the floor every client string keeps (a phrase for "Invalid <parameter>: …"), or null. */
export function stringInputProblem(value: string): string | null {
  if (!value.isWellFormed()) return 'must not contain unpaired surrogate code units';
  if (ANY_STRING_FORBIDDEN.test(value)) return 'must not contain control or bidirectional-override characters';
  return null;
}

/** Why the text breaks the rule (a phrase for "Invalid <parameter>: …"), or null when it keeps it. */
export function textProblem(value: string, rule: TextRule): string | null {
  const minLength = rule.minLength ?? 1;
  // Checked on the text as sent, before anything is normalised or trimmed.
  if (!value.isWellFormed()) return 'must not contain unpaired surrogate code units';
  if ((rule.multiline ? MULTILINE_FORBIDDEN : SINGLE_LINE_FORBIDDEN).test(value)) {
    return rule.multiline
      ? 'must not contain control or bidirectional-override characters other than line feeds and tabs'
      : 'must not contain control, line-break or bidirectional-override characters';
  }
  const length = textLength(normaliseText(value));
  if (length < minLength || length > rule.maxLength) {
    return minLength === 0
      ? `must be at most ${rule.maxLength} characters`
      : `must be ${minLength}–${rule.maxLength} characters`;
  }
  return null;
}

/** The trimmed, NFC-normalised text, or an InvalidInputError naming the parameter. */
export function requireText(value: string, parameter: string, rule: TextRule): string {
  const problem = textProblem(value, rule);
  if (problem) throw new InvalidInputError(parameter, problem);
  return normaliseText(value);
}
