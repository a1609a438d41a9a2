/**
 * Fee proofs over GraphQL: a period's paid set (for the device that proves), challenges
 * (for the verifier that asks) and the submission of a proof, accepted or refused with a
 * typed `FeeProofRejected` carrying its code.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS, registerErrorType } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { MAX_PER_OPERATION } from '../../graphql/field-limits.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { keysetFilter } from '../../kernel/keyset.ts';
import type { RateLimitRule } from '../../accounts/rate-limiter.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { requireCommunityReader } from '../../accounts/viewer.ts';
import { CommunitySchema } from '../../accounts/community.entity.ts';
import { CensusLeafRef, CensusRootRef } from '../../census/api/census-tree.ts';
import { CensusLeafSchema, CensusRootSchema } from '../../census/census.entity.ts';
import { censusTotals, type CensusTotals } from '../../census/census-tree-service.ts';
import { parsePeriodId } from '../../fees/billing-periods.ts';
import { MAX_PROOF_JSON_BYTES } from '../../zk/proof-format.ts';
import { textArgument } from '../../graphql/text-argument.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import {
  MAX_CHALLENGE_SECONDS,
  MAX_PURPOSE_LENGTH,
  MIN_CHALLENGE_SECONDS,
  requestFeeProofChallenge,
  submitFeeProof,
  type FeeProofAcceptance,
  type FeeProofChallenge,
} from '../fee-proof-challenges.ts';
import { FeeProofRejectedError } from '../fee-proof-errors.ts';
import { exportFeePeriodBundle, MAX_BUNDLED_FEE_PROOFS } from '../fee-period-bundle.ts';
import { paidSetTree, periodNumber } from '../paid-set-period.ts';

/** Proof submissions per caller per minute: each costs a pairing (about 20 ms of CPU). */
export const FEE_PROOFS_PER_MINUTE = 120;
const SUBMISSIONS_BY_CALLER: RateLimitRule = { name: 'fee-proofs.submission', limit: FEE_PROOFS_PER_MINUTE, windowMs: 60_000 };

registerErrorType(FeeProofRejectedError, {
  name: 'FeeProofRejected',
  description:
    'The proof does not answer the challenge: CHALLENGE_USED, CHALLENGE_EXPIRED, WRONG_PERIOD, ROOT_UNKNOWN, INVALID_PROOF, SCOPE_MISMATCH, ' +
    'MESSAGE_MISMATCH, PUBLIC_SIGNAL_*, PROOF_*, NO_KEY_FOR_DEPTH, NO_ACTIVE_VERIFICATION_KEY. Nothing was written.',
  fields: (t) => ({
    challengeId: t.globalID({ resolve: (error) => ({ type: 'FeeProofChallenge', id: error.challengeId }) }),
  }),
});

interface PaidSetView extends CensusTotals {
  communityId: string;
  periodId: string;
  tree: string;
}

const PaidSetRef = builder.objectRef<PaidSetView>('FeePaidSet').implement({
  description:
    "A fee period's paid set: the census tree `fees-paid:<period>` with one leaf Poseidon(identityCommitment, periodNumber) per household " +
    'whose invoices of the period are fully settled. Public to the community readers, like the census.',
  fields: (t) => ({
    community: t.field({
      type: CommunityRef,
      resolve: (set, _args, context) => context.em.findOneOrFail(CommunitySchema, { id: set.communityId }),
    }),
    periodId: t.exposeString('periodId'),
    periodNumber: t.int({
      description: 'The attribute of every leaf and proof: year × 100 + month, 20 + quarter, or 00 for a year.',
      resolve: (set) => periodNumber(set.periodId),
    }),
    tree: t.exposeString('tree', { description: 'The census tree name, as in the ledger entries (`kind`).' }),
    depth: t.exposeInt('depth'),
    size: t.exposeInt('size'),
    root: t.string({ resolve: (set) => set.root.toString() }),
    headCount: t.exposeInt('headCount', { description: 'Households in the set now.' }),
    leaves: t.connection({
      type: CensusLeafRef,
      description: 'Every leaf in index order, so a device rebuilds the tree and proves without asking for its path.',
      resolve: (set, args, context) =>
        resolveKeysetConnection(
          args,
          (page) => {
            const { where, orderBy, limit } = keysetFilter('leafIndex', page);
            return context.em.find(
              CensusLeafSchema,
              { communityId: set.communityId, kind: set.tree, ...where },
              { orderBy, limit },
            );
          },
          { name: 'paidSetLeaves', keyOf: (leaf) => [leaf.leafIndex] as const, parseKey: keyParsers.oneInteger },
        ),
    }),
    roots: t.connection({
      type: CensusRootRef,
      description: 'Every root the set had, newest first, each with the ledger entry that published it.',
      resolve: (set, args, context) =>
        resolveKeysetConnection(
          args,
          (page) => {
            const { where, orderBy, limit } = keysetFilter('version', page, true);
            return context.em.find(
              CensusRootSchema,
              { communityId: set.communityId, kind: set.tree, ...where },
              { orderBy, limit },
            );
          },
          { name: 'paidSetRoots', keyOf: (root) => [root.version] as const, parseKey: keyParsers.oneInteger },
        ),
    }),
  }),
});

builder.queryField('feePaidSet', (t) =>
  t.field({
    type: PaidSetRef,
    description: "A period's paid set (members of the community, its regulators, admins).",
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      periodId: t.arg.string({ required: true, validate: z.string().max(16) }),
    },
    resolve: async (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireCommunityReader(context.viewer, communityId);
      const periodId = parsePeriodId(args.periodId).periodId;
      const tree = paidSetTree(periodId);
      return {
        communityId,
        periodId,
        tree,
        ...(await censusTotals(context.em as SqlEntityManager, communityId, tree)),
      };
    },
  }),
);

const ChallengeRef = builder.objectRef<FeeProofChallenge>('FeeProofChallenge').implement({
  description:
    'What a fee proof must answer: prove membership of `tree` with attribute = periodNumber, scope and message as given, against the ' +
    'paid set root current when the challenge was made or any later one. Used once; expires.',
  fields: (t) => ({
    id: t.globalID({ resolve: (challenge) => ({ type: 'FeeProofChallenge', id: challenge.id }) }),
    community: t.field({
      type: CommunityRef,
      resolve: (challenge, _args, context) => context.em.findOneOrFail(CommunitySchema, { id: challenge.communityId }),
    }),
    periodId: t.exposeString('periodId'),
    periodNumber: t.exposeInt('periodNumber'),
    purpose: t.exposeString('purpose'),
    tree: t.exposeString('tree'),
    scope: t.string({ resolve: (challenge) => challenge.scope.toString() }),
    message: t.string({ resolve: (challenge) => challenge.message.toString() }),
    fromRootVersion: t.exposeInt('fromRootVersion'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    used: t.boolean({ resolve: (challenge) => challenge.usedAt !== null }),
  }),
});

const AcceptanceRef = builder.objectRef<FeeProofAcceptance>('FeeProofAccepted').implement({
  description:
    'The proof answers the challenge: some household of the community has paid the period in full. Which one is not known.',
  fields: (t) => ({
    challenge: t.field({ type: ChallengeRef, resolve: (accepted) => accepted.challenge }),
    root: t.string({ resolve: (accepted) => accepted.root.toString() }),
    rootVersion: t.exposeInt('rootVersion'),
    depth: t.exposeInt('depth'),
    acceptedAt: t.expose('acceptedAt', { type: 'DateTime' }),
  }),
});

const clockOf = (context: { services: { money?: { clock: { now(): Date } } } }) =>
  context.services.money?.clock.now() ?? new Date();

builder.mutationField('requestFeeProofChallenge', (t) =>
  t.field({
    type: ChallengeRef,
    description: 'A verifier asks for a challenge a resident answers with a fee proof for `periodId`.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      periodId: t.arg.string({ required: true, validate: z.string().max(16) }),
      purpose: t.arg.string({ required: true, validate: textArgument({ maxLength: MAX_PURPOSE_LENGTH }) }),
      validForSeconds: t.arg.int({
        validate: z.number().int().min(MIN_CHALLENGE_SECONDS).max(MAX_CHALLENGE_SECONDS).optional().nullable(),
      }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        requestFeeProofChallenge(em, context.viewer, {
          communityId: parseUuid(args.communityId.id, 'communityId'),
          periodId: args.periodId,
          purpose: args.purpose,
          validForSeconds: args.validForSeconds ?? null,
          now: clockOf(context),
        }),
      ),
  }),
);

builder.mutationField('submitFeeProof', (t) =>
  t.field({
    type: AcceptanceRef,
    description:
      'The verifier submits the proof a resident made for its challenge: accepted, or FeeProofRejected with the code.',
    errors: { types: [FeeProofRejectedError, ...MUTATION_ERRORS] },
    authScopes: { authenticated: true },
    extensions: { [MAX_PER_OPERATION]: 1 },
    args: {
      challengeId: t.arg.globalID({ required: true }),
      proof: t.arg.string({
        required: true,
        description: '{"proof": …, "publicSignals": […]} as snarkjs writes them.',
        validate: z.string().max(MAX_PROOF_JSON_BYTES),
      }),
    },
    resolve: async (_root, args, context) => {
      if (context.viewer) await context.services.accounts.rateLimits.consume(SUBMISSIONS_BY_CALLER, context.viewer.accountId);
      return inTransaction(context, (em) =>
        submitFeeProof(em, context.viewer, {
          challengeId: parseUuid(args.challengeId.id, 'challengeId'),
          proofJson: args.proof,
          now: clockOf(context),
        }),
      );
    },
  }),
);

builder.queryField('feePeriodBundle', (t) =>
  t.field({
    type: 'String',
    description:
      "Managers, the committee and the community's regulators: a fee period's compliance bundle as JSON (totals, paid set, keys, the log " +
      'up to a checkpoint covering it, a consistency proof, and any fee proofs given), for `npm run compliance:verify` offline.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    extensions: { [MAX_PER_OPERATION]: 1 },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      periodId: t.arg.string({ required: true, validate: z.string().max(16) }),
      proofs: t.arg.stringList({
        description:
          'Fee proofs to carry ({"proof": …, "publicSignals": […]}), checked offline against the published roots.',
        validate: z.array(z.string().max(MAX_PROOF_JSON_BYTES)).max(MAX_BUNDLED_FEE_PROOFS).optional().nullable(),
      }),
    },
    resolve: async (_root, args, context) =>
      JSON.stringify(
        await inTransaction(context, (em) =>
          exportFeePeriodBundle(
            em,
            context.viewer,
            {
              communityId: parseUuid(args.communityId.id, 'communityId'),
              periodId: args.periodId,
              proofs: args.proofs ?? [],
            },
            context.services.ledger.sealer,
          ),
        ),
      ),
  }),
);
