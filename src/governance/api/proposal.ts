/**
 * Proposals over GraphQL: created by the committee (or managers where allowed), opened
 * (pinning the census snapshot), closed with a result on the ledger, challenged in the
 * objection window, final after it; the live tally (totals, never who) as a field and a
 * subscription.
 */
import { z } from 'zod';
import { Repeater } from 'graphql-yoga';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { textArgument } from '../../graphql/text-argument.ts';
import { keysetSql } from '../../kernel/keyset.ts';
import { resolveKeysetConnection, keyParsers } from '../../graphql/keyset-connection.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { requireCommunityReader } from '../../accounts/viewer.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { CommunitySchema } from '../../accounts/community.entity.ts';
import { sequenceOfEntry } from '../../ledger/integrator.ts';
import { CensusKindEnum } from '../../census/api/census-tree.ts';
import { ballotOptions } from '../tally-rules.ts';
import { atLeast, moreThan, customRule, type DimensionThresholds, type Threshold, type TallyRule, ART_278_ORDINARY, ART_278_SPECIAL, SIMPLE_MAJORITY } from '../tally-rules.ts';
import { choiceMessage } from '../proposal-scope.ts';
import {
  closeProposal,
  createProposal,
  fileChallenge,
  finalizeProposal,
  liveTotals,
  MAX_BODY_LENGTH,
  MAX_OBJECTION_DAYS,
  MAX_OPTION_LABEL_LENGTH,
  MAX_REASON_LENGTH,
  MAX_TITLE_LENGTH,
  objectionWindowEnd,
  openProposal,
  proposalForm,
  proposalFromRow,
  requireReadableProposal,
  setManagersMayPropose,
  tallyView,
  type Challenge,
  type Proposal,
  type ResultJson,
} from '../proposals.ts';
import type { ThresholdJson } from '../rule-json.ts';
import { MAX_TRUSTEES } from '../encrypted-weights/election-key.ts';
import type { LiveTally } from '../governance-services.ts';

export const BallotModeEnum = builder.enumType('BallotMode', {
  values: {
    ANONYMOUS: { value: 'anonymous' },
    NAMED: { value: 'named' },
    ENCRYPTED: {
      value: 'encrypted',
      description: "Anonymous owners' ballots whose area is encrypted under a k-of-n trustees' election key; only per-option sums are decrypted (castEncryptedBallot).",
    },
  } as const,
});
const ProposalStatusEnum = builder.enumType('ProposalStatus', {
  values: {
    DRAFT: { value: 'draft' },
    OPEN: { value: 'open' },
    TALLYING: { value: 'tallying', description: 'Encrypted weights: closed to ballots, waiting for k trustees to decrypt the sums.' },
    CLOSED: { value: 'closed' },
    FINAL: { value: 'final' },
  } as const,
});
const TallyRuleNameEnum = builder.enumType('TallyRuleName', {
  values: {
    ART_278_ORDINARY: { value: 'art-278-ordinary', description: 'Art. 278 items 1–5 and 9: participation ≥ 2/3 of area and heads; approval > 1/2 of both.' },
    ART_278_SPECIAL: { value: 'art-278-special', description: 'Art. 278 items 6–8: participation ≥ 2/3 of area and heads; approval ≥ 3/4 of both.' },
    SIMPLE_MAJORITY: { value: 'simple-majority', description: 'Other polls: more than half of the participating heads.' },
    CUSTOM: { value: 'custom', description: 'Other polls: the given thresholds.' },
  } as const,
});
const BoundEnum = builder.enumType('ThresholdBound', {
  values: { AT_LEAST: { value: 'at-least', description: '以上: includes the bound.' }, MORE_THAN: { value: 'more-than', description: '过半数/超过: excludes it.' } } as const,
});

const ThresholdInput = builder.inputType('ThresholdInput', {
  fields: (t) => ({
    bound: t.field({ type: BoundEnum, required: true }),
    numerator: t.int({ required: true }),
    denominator: t.int({ required: true }),
  }),
});
const RuleInput = builder.inputType('TallyRuleInput', {
  description: 'A rule: a named one, or CUSTOM with thresholds (a null threshold is not tested).',
  fields: (t) => ({
    name: t.field({ type: TallyRuleNameEnum, required: true }),
    participationArea: t.field({ type: ThresholdInput }),
    participationHeads: t.field({ type: ThresholdInput }),
    approvalArea: t.field({ type: ThresholdInput }),
    approvalHeads: t.field({ type: ThresholdInput }),
  }),
});
const OptionInput = builder.inputType('ProposalOptionInput', {
  fields: (t) => ({
    id: t.string({ required: true, validate: z.string().max(32) }),
    label: t.string({ required: true, validate: textArgument({ maxLength: MAX_OPTION_LABEL_LENGTH }) }),
  }),
});

type ThresholdArg = { bound: 'at-least' | 'more-than'; numerator: number; denominator: number } | null | undefined;
function thresholdOf(value: ThresholdArg): Threshold | null {
  if (!value) return null;
  return value.bound === 'at-least' ? atLeast(BigInt(value.numerator), BigInt(value.denominator)) : moreThan(BigInt(value.numerator), BigInt(value.denominator));
}
function ruleOf(input: { name: string; participationArea?: ThresholdArg; participationHeads?: ThresholdArg; approvalArea?: ThresholdArg; approvalHeads?: ThresholdArg } | null | undefined): TallyRule | null {
  if (!input) return null;
  if (input.name === 'art-278-ordinary') return ART_278_ORDINARY;
  if (input.name === 'art-278-special') return ART_278_SPECIAL;
  if (input.name === 'simple-majority') return SIMPLE_MAJORITY;
  const participation: DimensionThresholds = { area: thresholdOf(input.participationArea), heads: thresholdOf(input.participationHeads) };
  const approval: DimensionThresholds = { area: thresholdOf(input.approvalArea), heads: thresholdOf(input.approvalHeads) };
  return customRule(participation, approval);
}

const ThresholdRef = builder.objectRef<ThresholdJson>('Threshold').implement({
  fields: (t) => ({
    bound: t.field({ type: BoundEnum, resolve: (threshold) => threshold.bound }),
    numerator: t.exposeInt('numerator'),
    denominator: t.exposeInt('denominator'),
  }),
});
const RuleRef = builder.objectRef<Proposal['rule']>('TallyRule').implement({
  fields: (t) => ({
    name: t.field({ type: TallyRuleNameEnum, resolve: (rule) => rule.kind }),
    participationArea: t.field({ type: ThresholdRef, nullable: true, resolve: (rule) => rule.participation.area }),
    participationHeads: t.field({ type: ThresholdRef, nullable: true, resolve: (rule) => rule.participation.heads }),
    approvalArea: t.field({ type: ThresholdRef, nullable: true, resolve: (rule) => rule.approval.area }),
    approvalHeads: t.field({ type: ThresholdRef, nullable: true, resolve: (rule) => rule.approval.heads }),
  }),
});

interface OptionView {
  id: string;
  label: string;
  message: bigint;
}
const OptionRef = builder.objectRef<OptionView>('ProposalOption').implement({
  description: 'An option a ballot may carry; an anonymous ballot proves with `message` as its message.',
  fields: (t) => ({
    id: t.exposeString('id'),
    label: t.exposeString('label'),
    message: t.string({ resolve: (option) => option.message.toString() }),
  }),
});

const SnapshotRef = builder.objectRef<NonNullable<Proposal['snapshot']>>('CensusSnapshot').implement({
  description: 'The census pinned when the proposal opened: members who joined later do not vote on it.',
  fields: (t) => ({
    root: t.string({ resolve: (snapshot) => snapshot.root.toString() }),
    depth: t.exposeInt('depth'),
    size: t.exposeInt('size'),
    headCount: t.field({ type: 'BigInt', resolve: (snapshot) => snapshot.heads }),
    totalWeight: t.field({ type: 'BigInt', resolve: (snapshot) => snapshot.weight }),
  }),
});

interface OptionTotalView {
  option: string;
  heads: string;
  weight: string;
}
const OptionTotalRef = builder.objectRef<OptionTotalView>('OptionTotal').implement({
  description: 'Heads and weight (0.01 m²) behind one option: totals, never who.',
  fields: (t) => ({
    option: t.exposeString('option'),
    heads: t.field({ type: 'BigInt', resolve: (total) => BigInt(total.heads) }),
    weight: t.field({ type: 'BigInt', resolve: (total) => BigInt(total.weight) }),
  }),
});

const ResultRef = builder.objectRef<{ proposal: Proposal; result: ResultJson }>('ProposalResult').implement({
  description: 'The tally at the close, as recorded in the result entry, with the checkpoint covering every ballot.',
  fields: (t) => ({
    totals: t.field({ type: [OptionTotalRef], resolve: ({ result }) => result.totals }),
    participatingHeads: t.field({ type: 'BigInt', resolve: ({ result }) => BigInt(result.participating.heads) }),
    participatingWeight: t.field({ type: 'BigInt', resolve: ({ result }) => BigInt(result.participating.weight) }),
    participationMet: t.boolean({ resolve: ({ result }) => result.participationMet }),
    adopted: t.string({ nullable: true, resolve: ({ result }) => result.adopted }),
    passed: t.boolean({ resolve: ({ result }) => result.passed }),
    explanations: t.stringList({ description: 'Each threshold test with its exact integer comparison.', resolve: ({ result }) => result.explanations }),
    ballotsCast: t.int({ description: 'Every ballot cast, replaced ones included.', resolve: ({ result }) => result.ballots }),
    checkpointTreeSize: t.int({ resolve: ({ result }) => result.checkpoint.treeSize }),
    checkpointRootHash: t.string({ resolve: ({ result }) => result.checkpoint.rootHash }),
    final: t.boolean({ resolve: ({ proposal }) => proposal.status === 'final' }),
    objectionWindowEndsAt: t.field({ type: 'DateTime', nullable: true, resolve: ({ proposal }) => objectionWindowEnd(proposal) }),
    ledgerSeq: t.field({
      type: 'BigInt',
      resolve: async ({ proposal }, _args, context) =>
        BigInt(await sequenceOfEntry(context.em as SqlEntityManager, proposal.communityId, proposal.resultEntryId!, proposal.closedAt!)),
    }),
  }),
});

export const ProposalRef = builder.objectRef<Proposal>('Proposal').implement({
  fields: (t) => ({
    id: t.globalID({ resolve: (proposal) => ({ type: 'Proposal', id: proposal.id }) }),
    community: t.field({ type: CommunityRef, resolve: (proposal, _args, context) => context.em.findOneOrFail(CommunitySchema, { id: proposal.communityId }) }),
    title: t.exposeString('title'),
    body: t.exposeString('body'),
    options: t.field({
      type: [OptionRef],
      description: 'yes/no/abstain, or the choices (and abstain when offered), with the message an anonymous ballot proves.',
      resolve: (proposal) => {
        const form = proposalForm(proposal);
        const labels = new Map(proposal.options.map((option) => [option.id, option.label]));
        return ballotOptions(form).map((id) => ({ id, label: labels.get(id) ?? id, message: choiceMessage(form, id) }));
      },
    }),
    matter: t.int({ nullable: true, description: 'The item of Civil Code Art. 278, or null for another poll.', resolve: (proposal) => proposal.matterItem }),
    census: t.field({ type: CensusKindEnum, resolve: (proposal) => proposal.censusKind }),
    rule: t.field({ type: RuleRef, resolve: (proposal) => proposal.rule }),
    mode: t.field({ type: BallotModeEnum, resolve: (proposal) => proposal.mode }),
    opensAt: t.expose('opensAt', { type: 'DateTime' }),
    closesAt: t.expose('closesAt', { type: 'DateTime' }),
    objectionDays: t.exposeInt('objectionDays'),
    status: t.field({ type: ProposalStatusEnum, resolve: (proposal) => proposal.status }),
    scope: t.string({ description: 'The scope an anonymous ballot proves with.', resolve: (proposal) => proposal.scope.toString() }),
    snapshot: t.field({ type: SnapshotRef, nullable: true, resolve: (proposal) => proposal.snapshot }),
    liveTally: t.field({
      type: [OptionTotalRef],
      description: 'The current totals per option (never who voted).',
      resolve: async (proposal, _args, context) => tallyView(await liveTotals(context.em as SqlEntityManager, proposal)),
    }),
    result: t.field({ type: ResultRef, nullable: true, resolve: (proposal) => (proposal.result ? { proposal, result: proposal.result } : null) }),
  }),
});

export function proposalIdArg(value: { id: string; typename: string }): string {
  return parseUuid(value.id, 'proposalId');
}

builder.queryField('proposal', (t) =>
  t.field({
    type: ProposalRef,
    errors: { types: MUTATION_ERRORS },
    args: { id: t.arg.globalID({ required: true }) },
    authScopes: { authenticated: true },
    resolve: (_root, args, context) => requireReadableProposal(context.em as SqlEntityManager, context.viewer, parseUuid(args.id.id, 'id')),
  }),
);

builder.queryField('proposals', (t) =>
  t.connection({
    type: ProposalRef,
    description: "A community's proposals, newest first.",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireCommunityReader(context.viewer, communityId);
      return resolveKeysetConnection(
        args,
        async (page) => {
          const { condition, orderBy, parameters, limit } = keysetSql(
            { columns: [{ expression: 'created_at', cast: 'timestamptz' }, { expression: 'id', cast: 'uuid' }], descending: true },
            page,
          );
          const rows: Array<Record<string, unknown>> = await (context.em as SqlEntityManager).execute(
            `select *, created_at::text as created_at_text from governance_proposals where community_id = ? and ${condition} order by ${orderBy} limit ?`,
            [communityId, ...parameters, limit],
          );
          return rows.map(proposalFromRow);
        },
        { name: 'proposals', keyOf: (proposal) => [proposal.createdAtText, proposal.id] as const, parseKey: keyParsers.twoStrings },
      );
    },
  }),
);

builder.mutationField('createProposal', (t) =>
  t.field({
    type: ProposalRef,
    description: 'The committee (or managers, where the community allows it): a draft proposal. A matter of Art. 278 fixes its rule.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      title: t.arg.string({ required: true, validate: textArgument({ maxLength: MAX_TITLE_LENGTH }) }),
      body: t.arg.string({ required: true, validate: textArgument({ maxLength: MAX_BODY_LENGTH, multiline: true }) }),
      options: t.arg({ type: [OptionInput], description: 'Null: yes/no/abstain.' }),
      abstain: t.arg.boolean({ description: 'For choices: offer abstain (default true).' }),
      matter: t.arg.int({ description: 'The item (1–9) of Civil Code Art. 278; null for another poll.' }),
      census: t.arg({ type: CensusKindEnum, required: true }),
      rule: t.arg({ type: RuleInput }),
      mode: t.arg({ type: BallotModeEnum, required: true }),
      opensAt: t.arg({ type: 'DateTime', required: true }),
      closesAt: t.arg({ type: 'DateTime', required: true }),
      objectionDays: t.arg.int({ validate: z.number().int().min(0).max(MAX_OBJECTION_DAYS).optional().nullable() }),
      trustees: t.arg.globalIDList({
        description: 'ENCRYPTED mode: the trustees of the election key (2–16 accounts: committee members, managers, the regulator), in trustee order 1..n.',
        validate: z.array(z.unknown()).max(MAX_TRUSTEES).optional().nullable(),
      }),
      threshold: t.arg.int({ description: 'ENCRYPTED mode: k, how many trustees must decrypt (2 to the number of trustees).' }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        createProposal(em, context.viewer, {
          communityId: parseUuid(args.communityId.id, 'communityId'),
          title: args.title,
          body: args.body,
          options: args.options ? args.options.map((option) => ({ id: option.id, label: option.label })) : null,
          abstain: args.abstain ?? true,
          matterItem: args.matter ?? null,
          censusKind: args.census,
          rule: ruleOf(args.rule as never),
          mode: args.mode,
          opensAt: args.opensAt as Date,
          closesAt: args.closesAt as Date,
          objectionDays: args.objectionDays ?? 0,
          trustees: args.trustees
            ? { threshold: args.threshold ?? 0, accountIds: args.trustees.map((trustee, index) => parseUuid(trustee.id, `trustees[${index}]`)) }
            : null,
        }),
      ),
  }),
);

for (const [name, description, run] of [
  ['openProposal', 'Open a draft at or after its opening time; pins the census snapshot on the ledger.', openProposal],
  ['finalizeProposal', 'After the objection window: the result becomes final, on the ledger.', finalizeProposal],
] as const) {
  builder.mutationField(name, (t) =>
    t.field({
      type: ProposalRef,
      description,
      errors: { types: MUTATION_ERRORS },
      authScopes: { authenticated: true },
      args: { proposalId: t.arg.globalID({ required: true }) },
      resolve: (_root, args, context) => inTransaction(context, (em) => run(em, context.viewer, proposalIdArg(args.proposalId))),
    }),
  );
}

builder.mutationField('closeProposal', (t) =>
  t.field({
    type: ProposalRef,
    description: 'At or after the close: the tally, a checkpoint over every ballot, and the result entry citing it.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: { proposalId: t.arg.globalID({ required: true }) },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) => closeProposal(em, context.viewer, proposalIdArg(args.proposalId), context.services.ledger.sealer)),
  }),
);

const ChallengeRef = builder.objectRef<Challenge>('ProposalChallenge').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    reason: t.exposeString('reason'),
    filedAt: t.expose('filedAt', { type: 'DateTime' }),
  }),
});

builder.mutationField('fileChallenge', (t) =>
  t.field({
    type: ChallengeRef,
    description: 'A member challenges a closed result inside its objection window; on the ledger (the reason as its hash).',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      proposalId: t.arg.globalID({ required: true }),
      reason: t.arg.string({ required: true, validate: textArgument({ maxLength: MAX_REASON_LENGTH, multiline: true }) }),
    },
    resolve: (_root, args, context) => inTransaction(context, (em) => fileChallenge(em, context.viewer, proposalIdArg(args.proposalId), args.reason)),
  }),
);

builder.mutationField('setManagersMayPropose', (t) =>
  t.field({
    type: 'Boolean',
    description: 'The committee: whether managers may create and open proposals.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }), allowed: t.arg.boolean({ required: true }) },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) => setManagersMayPropose(em, context.viewer, parseUuid(args.communityId.id, 'communityId'), args.allowed)),
  }),
);

const LiveTallyRef = builder.objectRef<LiveTally>('LiveTally').implement({
  fields: (t) => ({
    proposalId: t.globalID({ resolve: (tally) => ({ type: 'Proposal', id: tally.proposalId }) }),
    totals: t.field({ type: [OptionTotalRef], resolve: (tally) => tally.totals }),
  }),
});

builder.subscriptionField('liveTally', (t) =>
  t.field({
    type: LiveTallyRef,
    description: "The proposal's current totals, then the totals after each committed ballot (never who).",
    args: { proposalId: t.arg.globalID({ required: true }) },
    subscribe: async (_root, args, context) => {
      const em = context.em as SqlEntityManager;
      const proposal = await requireReadableProposal(em, context.viewer, proposalIdArg(args.proposalId));
      // Subscribe before reading the current totals, so no ballot falls between the two.
      const source = context.services.pubsub.subscribe('governance:tally', proposal.id)[Symbol.asyncIterator]();
      const current: LiveTally = { proposalId: proposal.id, totals: tallyView(await liveTotals(em, proposal)) };
      return new Repeater<LiveTally>(async (push, stop) => {
        const stopped = stop.then(() => undefined);
        try {
          await push(current);
          for (;;) {
            const next = await Promise.race([source.next(), stopped]);
            if (!next || next.done) break;
            await push(next.value);
          }
        } finally {
          await source.return?.();
        }
      });
    },
    resolve: (tally) => tally,
  }),
);
