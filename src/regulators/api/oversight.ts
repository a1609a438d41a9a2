/**
 * The regulator's read API: the communities of its jurisdictions, each community's
 * aggregates, and ledger-range bundles. Checkpoints, proofs and cosigning are the
 * ledger's fields (a regulator reads and witnesses every log it oversees); election and
 * fee-period bundles are governance's and fee proofs' fields.
 */
import { z } from 'zod';
import { NotFoundError } from '../../domain-error.ts';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { MAX_PER_OPERATION } from '../../graphql/field-limits.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { CommunitySchema, type Community } from '../../accounts/community.entity.ts';
import { ArrearsRef, CollectionRateRef } from '../../fees/api/money-reports.ts';
import { FundReportRef, moneyContext } from '../../funds/api/money-account.ts';
import { arrearsReport, collectionRateReport, fundReport } from '../../fees/money-reports.ts';
import { parseCivilDate } from '../../funds/civil-dates.ts';
import { parsePeriodId } from '../../fees/billing-periods.ts';
import { overseenCommunityIds, proposalOutcomes, requireOverseer, type ProposalOutcome } from '../oversight.ts';
import { scoreCardsOf, type RatingScoreCard } from '../score-cards.ts';
import { exportLedgerRangeBundle } from '../ledger-range-bundle.ts';

const ProposalOutcomeRef = builder.objectRef<ProposalOutcome>('ProposalOutcome').implement({
  description: "A decided vote's participation and outcome, as counts (the proposal's text is not part of oversight).",
  fields: (t) => ({
    proposalId: t.globalID({ resolve: (outcome) => ({ type: 'Proposal', id: outcome.proposalId }) }),
    status: t.exposeString('status'),
    census: t.exposeString('census'),
    eligibleHeads: t.exposeString('eligibleHeads'),
    eligibleWeight: t.exposeString('eligibleWeight'),
    participatingHeads: t.exposeString('participatingHeads'),
    participatingWeight: t.exposeString('participatingWeight'),
    participationMet: t.exposeBoolean('participationMet'),
    passed: t.exposeBoolean('passed'),
    ballots: t.exposeInt('ballots'),
  }),
});

const ScoreCardRef = builder.objectRef<RatingScoreCard>('RegulatorScoreCardLine').implement({
  description:
    "One line of the community's latest service score card: a category (or `overall`), its count of ratings and their mean.",
  fields: (t) => ({
    subject: t.exposeString('subject'),
    period: t.exposeString('period'),
    ratings: t.exposeInt('ratings'),
    average: t.exposeFloat('average', { nullable: true }),
  }),
});

interface Oversight {
  community: Community;
  periodId: string | null;
  asOf: string | null;
}

const OversightRef = builder.objectRef<Oversight>('CommunityOversight').implement({
  description: 'Aggregates of one community for its regulators: never a household, a person or a unit.',
  fields: (t) => ({
    community: t.field({ type: CommunityRef, resolve: (oversight) => oversight.community }),
    collectionRate: t.field({
      type: CollectionRateRef,
      nullable: true,
      description: 'Of `periodId`, when given.',
      resolve: (oversight, _args, context) =>
        oversight.periodId === null
          ? null
          : collectionRateReport(moneyContext(context), oversight.community.id, oversight.periodId),
    }),
    arrearsAgeing: t.field({
      type: ArrearsRef,
      resolve: (oversight, _args, context) =>
        arrearsReport(moneyContext(context), oversight.community.id, oversight.asOf ?? undefined),
    }),
    funds: t.field({
      type: FundReportRef,
      resolve: (oversight, _args, context) => fundReport(moneyContext(context), oversight.community.id),
    }),
    votes: t.field({
      type: [ProposalOutcomeRef],
      description: 'The 50 most recently decided proposals.',
      resolve: (oversight, _args, context) => proposalOutcomes(context.em as SqlEntityManager, oversight.community.id),
    }),
    scoreCards: t.field({
      type: [ScoreCardRef],
      description:
        "The latest rating period's score card, per service category and overall; empty when no period was opened.",
      resolve: (oversight, _args, context) =>
        scoreCardsOf(context.em as SqlEntityManager, context.viewer, oversight.community.id),
    }),
  }),
});

builder.queryField('overseenCommunities', (t) =>
  t.field({
    type: [CommunityRef],
    description: 'Regulators: the communities of their jurisdictions (admins: every community).',
    authScopes: { authenticated: true },
    resolve: async (_root, _args, context) => {
      const ids = await overseenCommunityIds(context.em as SqlEntityManager, context.viewer);
      return ids.length === 0 ? [] : context.em.find(CommunitySchema, { id: { $in: ids } }, { orderBy: { id: 'asc' } });
    },
  }),
);

builder.queryField('communityOversight', (t) =>
  t.field({
    type: OversightRef,
    description: "A community's aggregates for its regulators (FORBIDDEN outside their jurisdictions).",
    authScopes: { authenticated: true },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      periodId: t.arg.string({ validate: z.string().max(16).optional().nullable() }),
      asOf: t.arg.string({
        description: 'Civil date YYYY-MM-DD of the arrears ageing; today by default.',
        validate: z.string().max(10).optional().nullable(),
      }),
    },
    resolve: async (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireOverseer(context.viewer, communityId);
      if (args.asOf) parseCivilDate(args.asOf);
      // An admin oversees every community, so an unknown id gets this far: NOT_FOUND, not a driver error.
      const community = await context.em.findOne(CommunitySchema, { id: communityId });
      if (!community) throw new NotFoundError('Community');
      return {
        community,
        periodId: args.periodId ? parsePeriodId(args.periodId).periodId : null,
        asOf: args.asOf ?? null,
      };
    },
  }),
);

builder.queryField('ledgerRangeBundle', (t) =>
  t.field({
    type: 'String',
    description:
      "Regulators: entries from..to of a community's log with inclusion proofs in a signed checkpoint covering them and a consistency " +
      'proof from the checkpoint before, as JSON for `npm run compliance:verify`.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    extensions: { [MAX_PER_OPERATION]: 1 },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      from: t.arg.int({ required: true, validate: z.number().int().min(0) }),
      to: t.arg.int({ validate: z.number().int().min(0).optional().nullable() }),
    },
    resolve: async (_root, args, context) =>
      JSON.stringify(
        await inTransaction(context, (em) =>
          exportLedgerRangeBundle(
            em,
            context.viewer,
            { communityId: parseUuid(args.communityId.id, 'communityId'), from: args.from, to: args.to ?? null },
            context.services.ledger.sealer,
          ),
        ),
      ),
  }),
);
