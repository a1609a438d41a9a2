/**
 * The zod rule for a GraphQL argument that carries typed text (a name, a label, a
 * comment): the shared text rule of src/text-input.ts, checked by Pothos's validation
 * plugin before the resolver runs, so a failure is an INVALID_INPUT naming the argument
 * (a typed result in a mutation's union, an error with `extensions.parameter` in a query).
 *
 *   name: t.arg.string({ required: true, validate: textArgument({ maxLength: NAME_MAX_LENGTH }) })
 *
 * The resolver receives the text trimmed and NFC-normalised (src/text-input.ts).
 * Domain cores check the same rule again with `requireText`, since they are callable
 * without GraphQL. Arguments that are not free text (codes, ids, hex) keep their own
 * stricter patterns.
 */
import { z } from 'zod';
import { normaliseText, textProblem, type TextRule } from '../text-input.ts';

/** Refuses text that breaks the rule; the resolver receives it trimmed and NFC-normalised. */
export function textArgument(rule: TextRule) {
  return z
    .string()
    .superRefine((value, context) => {
      const problem = textProblem(value, rule);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .transform(normaliseText);
}
