/**
 * Ratings over GraphQL: by name (a resident) or anonymously (no login, a proof of the
 * subject's eligible census), each returning a receipt; managers or the committee hide a
 * comment with a reason.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { textArgument } from '../../graphql/text-argument.ts';
import { MAX_PER_OPERATION } from '../../graphql/field-limits.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { sequenceOfEntry } from '../../ledger/integrator.ts';
import { MAX_PROOF_JSON_BYTES } from '../../zk/proof-format.ts';
import { MAX_COMMENT_LENGTH, MAX_HIDE_REASON_LENGTH } from '../rating-rules.ts';
import {
  hideRatingComment,
  rateNamed,
  recordAnonymousRating,
  verifyAnonymousRating,
  type RatingComment,
  type RatingReceipt,
} from '../ratings.ts';
import { PERIOD_ARGUMENT } from './rating-subject.ts';

const ChannelEnum = builder.enumType('RatingChannel', {
  values: { NAMED: { value: 'named' }, ANONYMOUS: { value: 'anonymous' } } as const,
});

const RatingReceiptRef = builder.objectRef<RatingReceipt>('RatingReceipt').implement({
  description:
    'A rating taken: the one that counts for its rater, subject and period until replaced or the period closes.',
  fields: (t) => ({
    ratingId: t.exposeID('ratingId'),
    subjectId: t.exposeID('subjectId'),
    period: t.exposeString('period'),
    channel: t.field({ type: ChannelEnum, resolve: (receipt) => receipt.channel }),
    score: t.exposeInt('score'),
    comment: t.exposeString('comment', { nullable: true }),
    nullifier: t.string({ nullable: true, resolve: (receipt) => receipt.nullifier?.toString() ?? null }),
    replaced: t.boolean({
      description: "Whether it replaced the rater's earlier rating of the subject in the period.",
      resolve: (receipt) => receipt.replaced,
    }),
    castAt: t.expose('castAt', { type: 'DateTime' }),
    ledgerSeq: t.field({
      type: 'BigInt',
      resolve: async (receipt, _args, context) =>
        BigInt(
          await sequenceOfEntry(
            context.em as SqlEntityManager,
            receipt.communityId,
            receipt.ledgerEntryId,
            receipt.ledgerTime,
          ),
        ),
    }),
  }),
});

export const RatingCommentRef = builder.objectRef<RatingComment>('RatingComment').implement({
  description: "A counted rating's comment. Who wrote it is not shown.",
  fields: (t) => ({
    ratingId: t.exposeID('ratingId'),
    subjectId: t.exposeID('subjectId'),
    period: t.exposeString('period'),
    channel: t.field({ type: ChannelEnum, resolve: (comment) => comment.channel }),
    score: t.exposeInt('score'),
    comment: t.exposeString('comment'),
    castAt: t.expose('castAt', { type: 'DateTime' }),
    hidden: t.exposeBoolean('hidden'),
    hiddenReason: t.exposeString('hiddenReason', { nullable: true }),
  }),
});

const ratingArgs = (t: any) => ({
  subjectId: t.arg.id({ required: true }),
  period: t.arg.string({ required: true, validate: PERIOD_ARGUMENT }),
  score: t.arg.int({ required: true }),
  comment: t.arg.string({ validate: textArgument({ maxLength: MAX_COMMENT_LENGTH, minLength: 0, multiline: true }) }),
});

builder.mutationField('submitRating', (t) =>
  t.field({
    type: RatingReceiptRef,
    description:
      'A resident rates a subject by name (score 1–5, optional comment); a later rating in the same open period replaces it.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: ratingArgs(t),
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        rateNamed(em, context.viewer, {
          subjectId: parseUuid(String(args.subjectId), 'subjectId'),
          period: args.period as string,
          score: args.score as number,
          comment: args.comment as string | null | undefined,
        }),
      ),
  }),
);

builder.mutationField('submitAnonymousRating', (t) =>
  t.field({
    type: RatingReceiptRef,
    description:
      "No login: a proof of the subject's eligible census (households) with scope = the subject's scope for the period and " +
      'message = SHA-256(JSON [score, comment or null]) mod r (docs/ratings.md). One counts per household, subject and period; a later one replaces it.',
    errors: { types: MUTATION_ERRORS },
    extensions: { [MAX_PER_OPERATION]: 1 },
    args: { ...ratingArgs(t), proof: t.arg.string({ required: true, validate: z.string().max(MAX_PROOF_JSON_BYTES) }) },
    resolve: async (_root, args, context) => {
      const verified = await verifyAnonymousRating(
        context.em as SqlEntityManager,
        context.services.governance.ballotVerifier,
        {
          subjectId: parseUuid(String(args.subjectId), 'subjectId'),
          period: args.period as string,
          score: args.score as number,
          comment: args.comment as string | null | undefined,
          proof: args.proof as string,
        },
      );
      return inTransaction(context, (em) => recordAnonymousRating(em, verified));
    },
  }),
);

builder.mutationField('hideRatingComment', (t) =>
  t.field({
    type: RatingCommentRef,
    description:
      "Managers or the committee: hide a rating's comment with a reason (a ledger entry). It is never deleted, and its score still counts.",
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      ratingId: t.arg.id({ required: true }),
      reason: t.arg.string({
        required: true,
        validate: textArgument({ maxLength: MAX_HIDE_REASON_LENGTH, multiline: true }),
      }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        hideRatingComment(em, context.viewer, {
          ratingId: parseUuid(String(args.ratingId), 'ratingId'),
          reason: args.reason as string,
        }),
      ),
  }),
);
