/**
 * How often one field may appear in one operation, for fields whose every call is
 * expensive (a password hash, a proof check): declared on the field,
 *
 *   t.field({ …, extensions: { [MAX_PER_OPERATION]: 1 } })
 *
 * and enforced by a validation rule, so a document that calls `login` ten times under
 * ten aliases is refused (QUERY_LIMIT_EXCEEDED) before anything runs. Occurrences are
 * counted per operation, through the fragments it uses.
 */
import {
  GraphQLError,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTVisitor,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The field extension naming the most occurrences allowed in one operation. */
export const MAX_PER_OPERATION = 'maxPerOperation';
/** The code of a document over one of its limits (the same as graphql-armor's limits). */
export const QUERY_LIMIT_CODE = 'QUERY_LIMIT_EXCEEDED';

export function FieldOccurrenceLimitRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(operation) {
      const counts = new Map<string, { count: number; max: number }>();
      const typeInfo = new TypeInfo(context.getSchema());
      const counter = visitWithTypeInfo(typeInfo, {
        Field() {
          const field = typeInfo.getFieldDef();
          const max = field?.extensions?.[MAX_PER_OPERATION];
          if (!field || typeof max !== 'number') return;
          const name = `${typeInfo.getParentType()?.name ?? '?'}.${field.name}`;
          const entry = counts.get(name) ?? { count: 0, max };
          entry.count += 1;
          counts.set(name, entry);
        },
      });
      visit(operation, counter);
      for (const fragment of context.getRecursivelyReferencedFragments(operation)) visit(fragment, counter);
      for (const [name, { count, max }] of counts) {
        if (count > max) {
          context.reportError(
            new GraphQLError(`${name} may appear at most ${max} time${max === 1 ? '' : 's'} in one operation; found ${count}`, {
              extensions: { code: QUERY_LIMIT_CODE },
            }),
          );
        }
      }
      return false;
    },
  };
}

/** Adds the rule to validation. */
export function useFieldOccurrenceLimits(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(FieldOccurrenceLimitRule);
    },
  };
}
