/**
 * Suggestions over GraphQL: named (a resident) or anonymous (no login, a households
 * proof), answered or closed by managers, listed with their answers for the community.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { textArgument } from '../../graphql/text-argument.ts';
import { MAX_PER_OPERATION } from '../../graphql/field-limits.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { keysetSql } from '../../kernel/keyset.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { MAX_PROOF_JSON_BYTES } from '../../zk/proof-format.ts';
import {
  answerSuggestion,
  listSuggestions,
  MAX_ANONYMOUS_SUGGESTIONS_PER_DAY,
  MAX_ANSWER_LENGTH,
  MAX_SUGGESTION_BODY_LENGTH,
  MAX_SUGGESTION_TITLE_LENGTH,
  submitAnonymousSuggestion,
  submitNamedSuggestion,
  type Suggestion,
} from '../suggestions.ts';

const SuggestionStatusEnum = builder.enumType('SuggestionStatus', {
  values: { SUBMITTED: { value: 'submitted' }, ANSWERED: { value: 'answered' }, CLOSED: { value: 'closed' } } as const,
});

const SuggestionRef = builder.objectRef<Suggestion>('Suggestion').implement({
  description: '建议: a suggestion and the managers\' answer. Who sent a named one is not shown here.',
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    body: t.exposeString('body'),
    anonymous: t.exposeBoolean('anonymous'),
    status: t.field({ type: SuggestionStatusEnum, resolve: (suggestion) => suggestion.status }),
    answer: t.exposeString('answer', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const title = (t: any) => t.arg.string({ required: true, validate: textArgument({ maxLength: MAX_SUGGESTION_TITLE_LENGTH }) });
const body = (t: any) => t.arg.string({ required: true, validate: textArgument({ maxLength: MAX_SUGGESTION_BODY_LENGTH, multiline: true }) });

builder.mutationField('submitSuggestion', (t) =>
  t.field({
    type: SuggestionRef,
    description: 'A resident, by name.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }), title: title(t), body: body(t) },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        submitNamedSuggestion(em, context.viewer, { communityId: parseUuid(args.communityId.id, 'communityId'), title: args.title as string, body: args.body as string })),
  }),
);

builder.mutationField('submitAnonymousSuggestion', (t) =>
  t.field({
    type: SuggestionRef,
    description:
      `No login: a households-census proof with scope = the day's slot (0 to ${MAX_ANONYMOUS_SUGGESTIONS_PER_DAY - 1}) ` +
      'and message = the text\'s hash (docs/governance.md); each household sends at most that many a day.',
    errors: { types: MUTATION_ERRORS },
    extensions: { [MAX_PER_OPERATION]: 1 },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      title: title(t),
      body: body(t),
      slot: t.arg.int({ required: true }),
      proof: t.arg.string({ required: true, validate: z.string().max(MAX_PROOF_JSON_BYTES) }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        submitAnonymousSuggestion(em, {
          communityId: parseUuid(args.communityId.id, 'communityId'),
          title: args.title as string,
          body: args.body as string,
          slot: args.slot,
          proof: args.proof,
        })),
  }),
);

builder.mutationField('answerSuggestion', (t) =>
  t.field({
    type: SuggestionRef,
    description: 'Managers: answer a suggestion, optionally closing it.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      suggestionId: t.arg.id({ required: true }),
      answer: t.arg.string({ required: true, validate: textArgument({ maxLength: MAX_ANSWER_LENGTH, multiline: true }) }),
      close: t.arg.boolean(),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        answerSuggestion(em, context.viewer, { suggestionId: parseUuid(String(args.suggestionId), 'suggestionId'), answer: args.answer, close: args.close ?? false })),
  }),
);

builder.queryField('suggestions', (t) =>
  t.connection({
    type: SuggestionRef,
    description: "A community's suggestions with their answers, newest first.",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      return resolveKeysetConnection(
        args,
        (page) =>
          listSuggestions(context.em as SqlEntityManager, context.viewer, communityId,
            keysetSql({ columns: [{ expression: 'created_at', cast: 'timestamptz' }, { expression: 'id', cast: 'uuid' }], descending: true }, page)),
        { name: 'suggestions', keyOf: (suggestion) => [suggestion.createdAtText, suggestion.id] as const, parseKey: keyParsers.twoStrings },
      );
    },
  }),
);
