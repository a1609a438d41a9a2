/**
 * Proposals: created by the committee (or by managers where the community allows it),
 * opened — which pins the census snapshot (root, depth, size, head count, total weight
 * and its members) in a ledger entry — closed with a result entry that carries the
 * totals, the rule, the snapshot, the verdict and the checkpoint covering every ballot,
 * challenged in the objection window, and final after it.
 *
 * Every change locks the proposal row first and appends its ledger entry last. Ballots
 * take the same row FOR SHARE, so a close waits for ballots in flight, and no ballot is
 * accepted after it.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../domain-error.ts';
import { requireText } from '../text-input.ts';
import { hasCommunityRole, requireCommunityReader, requireViewer, type Viewer } from '../accounts/viewer.ts';
import { appendEntry } from '../ledger/append-entry.ts';
import { cutCheckpoint } from '../ledger/checkpoints.ts';
import type { SecretSealer } from '../ledger/log-keys.ts';
import { integratePending } from '../ledger/integrator.ts';
import { toHex } from '../ledger/merkle-hash.ts';
import type { CensusKind } from '../census/census.entity.ts';
import { art278RuleFor } from './art-278.ts';
import { readCensusSnapshot } from './census-snapshot.ts';
import { pinElection, recordClosingSums, recordTrustees, requireTrustees, startSums, type TrusteeSetup } from './encrypted-election.ts';
import { GovernanceError } from './governance-errors.ts';
import { proposalScope } from './proposal-scope.ts';
import { formOf, ruleFromJson, ruleToJson, type OptionJson, type RuleJson } from './rule-json.ts';
import { ballotOptions, decideTally, requireRuleFitsForm, SIMPLE_MAJORITY, type BallotForm, type OptionTotals, type TallyRule, type TallyVerdict, type VoteTotal } from './tally-rules.ts';

export const MAX_TITLE_LENGTH = 200;
export const MAX_BODY_LENGTH = 20_000;
export const MAX_OPTION_LABEL_LENGTH = 200;
export const MAX_OBJECTION_DAYS = 60;
export const MAX_REASON_LENGTH = 2_000;
const DAY_MS = 86_400_000;

export type ProposalStatus = 'draft' | 'open' | 'tallying' | 'closed' | 'final';
/** `encrypted`: anonymous owners' ballots whose weight is encrypted (issue 15, encrypted-proposals.ts). */
export type BallotModeName = 'anonymous' | 'named' | 'encrypted';

export interface Proposal {
  id: string;
  communityId: string;
  title: string;
  body: string;
  formKind: BallotForm['kind'];
  options: OptionJson[];
  abstain: boolean;
  matterItem: number | null;
  censusKind: CensusKind;
  rule: RuleJson;
  mode: BallotModeName;
  opensAt: Date;
  closesAt: Date;
  objectionDays: number;
  status: ProposalStatus;
  scope: bigint;
  snapshot: { root: bigint; depth: number; size: number; heads: bigint; weight: bigint } | null;
  createdBy: string;
  createdAt: Date;
  createdEntryId: number;
  openedAt: Date | null;
  openedEntryId: number | null;
  closedAt: Date | null;
  result: ResultJson | null;
  resultEntryId: number | null;
  checkpointSize: number | null;
  finalAt: Date | null;
  finalEntryId: number | null;
}

export function proposalForm(proposal: Pick<Proposal, 'formKind' | 'options' | 'abstain'>): BallotForm {
  return formOf(proposal.formKind, proposal.options, proposal.abstain);
}

export function proposalRule(proposal: Pick<Proposal, 'rule'>): TallyRule {
  return ruleFromJson(proposal.rule);
}

/** The columns `proposalFromRow` reads. */
export const PROPOSAL_COLUMNS = `id, community_id, title, body, form_kind, options, abstain, matter_item, census_kind, rule, mode, opens_at, closes_at,
  objection_days, status, scope, snapshot_root, snapshot_depth, snapshot_size, snapshot_heads, snapshot_weight, created_by, created_at,
  created_entry_id, opened_at, opened_entry_id, closed_at, result, result_entry_id, checkpoint_size, final_at, final_entry_id,
  created_at::text as created_at_text`;

type Row = Record<string, unknown>;

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
function date(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}
function optionalDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : date(value);
}
function optionalNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function proposalFromRow(row: Row): Proposal & { createdAtText: string } {
  const snapshotRoot = row['snapshot_root'];
  return {
    id: String(row['id']),
    communityId: String(row['community_id']),
    title: String(row['title']),
    body: String(row['body']),
    formKind: row['form_kind'] as BallotForm['kind'],
    options: json<OptionJson[]>(row['options']),
    abstain: Boolean(row['abstain']),
    matterItem: optionalNumber(row['matter_item']),
    censusKind: row['census_kind'] as CensusKind,
    rule: json<RuleJson>(row['rule']),
    mode: row['mode'] as BallotModeName,
    opensAt: date(row['opens_at']),
    closesAt: date(row['closes_at']),
    objectionDays: Number(row['objection_days']),
    status: row['status'] as ProposalStatus,
    scope: BigInt(String(row['scope'])),
    snapshot:
      snapshotRoot === null || snapshotRoot === undefined
        ? null
        : {
            root: BigInt(String(snapshotRoot)),
            depth: Number(row['snapshot_depth']),
            size: Number(row['snapshot_size']),
            heads: BigInt(String(row['snapshot_heads'])),
            weight: BigInt(String(row['snapshot_weight'])),
          },
    createdBy: String(row['created_by']),
    createdAt: date(row['created_at']),
    createdEntryId: Number(row['created_entry_id']),
    openedAt: optionalDate(row['opened_at']),
    openedEntryId: optionalNumber(row['opened_entry_id']),
    closedAt: optionalDate(row['closed_at']),
    result: row['result'] === null || row['result'] === undefined ? null : json<ResultJson>(row['result']),
    resultEntryId: optionalNumber(row['result_entry_id']),
    checkpointSize: optionalNumber(row['checkpoint_size']),
    finalAt: optionalDate(row['final_at']),
    finalEntryId: optionalNumber(row['final_entry_id']),
    createdAtText: String(row['created_at_text']),
  };
}

/** The proposal, optionally locked (`for share` for ballots, `for update` for state changes). */
export async function findProposal(em: SqlEntityManager, proposalId: string, lock: '' | 'for share' | 'for update' = ''): Promise<Proposal | undefined> {
  const rows: Row[] = await em.execute(`select ${PROPOSAL_COLUMNS} from governance_proposals where id = ? ${lock}`, [proposalId]);
  return rows[0] ? proposalFromRow(rows[0]) : undefined;
}

/** The proposal if the viewer may read its community; NOT_FOUND otherwise (the two look alike). */
export async function requireReadableProposal(em: SqlEntityManager, viewer: Viewer | null, proposalId: string, lock: '' | 'for share' | 'for update' = ''): Promise<Proposal> {
  requireViewer(viewer);
  const proposal = await findProposal(em, proposalId, lock);
  if (!proposal) throw new NotFoundError('Proposal');
  try {
    requireCommunityReader(viewer, proposal.communityId);
  } catch {
    throw new NotFoundError('Proposal');
  }
  return proposal;
}

export async function managersMayPropose(em: SqlEntityManager, communityId: string): Promise<boolean> {
  const rows: Array<{ managers_may_propose: boolean }> = await em.execute(
    'select managers_may_propose from governance_settings where community_id = ?', [communityId]);
  return rows[0]?.managers_may_propose === true;
}

/** The committee decides whether managers may create proposals; on the ledger. */
export async function setManagersMayPropose(em: SqlEntityManager, viewer: Viewer | null, communityId: string, allowed: boolean): Promise<boolean> {
  const caller = requireViewer(viewer);
  if (!hasCommunityRole(caller, communityId, ['committee'])) throw new ForbiddenError('Requires the committee role in this community');
  await em.execute(
    `insert into governance_settings (community_id, managers_may_propose) values (?, ?)
     on conflict (community_id) do update set managers_may_propose = excluded.managers_may_propose`,
    [communityId, allowed],
  );
  await appendEntry(em, { communityId, type: 'governance.settings', actor: caller.accountId, payload: { managersMayPropose: allowed } });
  return allowed;
}

async function requireProposer(em: SqlEntityManager, viewer: Viewer | null, communityId: string): Promise<Viewer> {
  // Outside the community the answer is FORBIDDEN, as on every field; MAY_NOT_PROPOSE is for its own members.
  const caller = requireCommunityReader(viewer, communityId);
  if (hasCommunityRole(caller, communityId, ['committee'])) return caller;
  if (hasCommunityRole(caller, communityId, ['manager']) && (await managersMayPropose(em, communityId))) return caller;
  throw new GovernanceError('MAY_NOT_PROPOSE', 'Failed to create proposal: only the committee, or managers where the community allows it, may propose');
}

function requireCommittee(viewer: Viewer | null, communityId: string, alsoManagers = false): Viewer {
  const caller = requireViewer(viewer);
  const roles = alsoManagers ? (['committee', 'manager'] as const) : (['committee'] as const);
  if (!hasCommunityRole(caller, communityId, roles)) throw new ForbiddenError(`Requires the ${roles.join(' or ')} role in this community`);
  return caller;
}

export interface CreateProposalInput {
  communityId: string;
  title: string;
  body: string;
  /** Null: yes/no/abstain. Otherwise 2–20 choices. */
  options: OptionJson[] | null;
  /** For choices: whether abstain is offered (yes/no/abstain always offers it). */
  abstain: boolean;
  /** The Art. 278 item, or null for another poll. */
  matterItem: number | null;
  censusKind: CensusKind;
  /** Null: the rule the matter prescribes (simple majority for another poll). */
  rule: TallyRule | null;
  mode: BallotModeName;
  opensAt: Date;
  closesAt: Date;
  objectionDays: number;
  /** Encrypted mode only: the trustees and the threshold of the election key. */
  trustees?: TrusteeSetup | null;
}

function contentHash(title: string, body: string, options: readonly OptionJson[]): string {
  return createHash('sha256').update(JSON.stringify([title, body, options.map((option) => [option.id, option.label])]), 'utf8').digest('hex');
}

export async function createProposal(em: SqlEntityManager, viewer: Viewer | null, input: CreateProposalInput, now = new Date()): Promise<Proposal> {
  const caller = await requireProposer(em, viewer, input.communityId);
  const title = requireText(input.title, 'title', { maxLength: MAX_TITLE_LENGTH });
  const body = requireText(input.body, 'body', { maxLength: MAX_BODY_LENGTH, multiline: true });
  const options = (input.options ?? []).map((option, index) => ({
    id: option.id,
    label: requireText(option.label, `options[${index}].label`, { maxLength: MAX_OPTION_LABEL_LENGTH }),
  }));
  const form: BallotForm = input.options === null ? { kind: 'yes-no-abstain' } : { kind: 'choices', options: options.map((option) => option.id), abstain: input.abstain };
  ballotOptions(form);
  let rule: TallyRule;
  if (input.matterItem !== null) {
    rule = art278RuleFor(input.matterItem);
    if (input.rule !== null && input.rule.name !== rule.name) {
      throw new GovernanceError('INVALID_RULE', `Invalid rule: Art. 278 item ${input.matterItem} is decided by the ${rule.name} rule`);
    }
    if (input.censusKind !== 'owners') throw new GovernanceError('INVALID_RULE', 'Invalid census: matters of Art. 278 are decided by the owners census');
  } else {
    rule = input.rule ?? SIMPLE_MAJORITY;
  }
  requireRuleFitsForm(rule, form);
  if (input.mode !== 'anonymous' && input.mode !== 'named' && input.mode !== 'encrypted') {
    throw new GovernanceError('BALLOT_MODE_MISMATCH', 'Invalid mode: anonymous, named or encrypted');
  }
  let trustees: TrusteeSetup | null = null;
  if (input.mode === 'encrypted') {
    // The encrypted weight is an owner's area: only the owners census has one worth hiding.
    if (input.censusKind !== 'owners') throw new GovernanceError('BALLOT_MODE_MISMATCH', 'Invalid mode: encrypted weights are for the owners census');
    trustees = await requireTrustees(em, input.communityId, input.trustees);
  } else if (input.trustees) {
    throw new GovernanceError('INVALID_TRUSTEES', 'Invalid trustees: only an encrypted-weight proposal has trustees');
  }
  if (!(input.opensAt < input.closesAt) || !(input.closesAt > now)) {
    throw new GovernanceError('INVALID_WINDOW', 'Invalid voting window: the opening must be before the close, and the close in the future');
  }
  if (!Number.isSafeInteger(input.objectionDays) || input.objectionDays < 0 || input.objectionDays > MAX_OBJECTION_DAYS) {
    throw new InvalidInputError('objectionDays', `must be 0 to ${MAX_OBJECTION_DAYS}`);
  }
  const id = randomUUID();
  const ruleJson = ruleToJson(rule);
  await em.execute('select id from communities where id = ? for no key update', [input.communityId]);
  const appended = await appendEntry(em, {
    communityId: input.communityId,
    type: 'governance.proposal',
    actor: caller.accountId,
    payload: {
      proposal: id,
      content: contentHash(title, body, options),
      form: form.kind,
      options: ballotOptions(form),
      matter: input.matterItem,
      census: input.censusKind,
      rule: ruleJson as unknown as Record<string, never>,
      mode: input.mode,
      opensAt: input.opensAt.toISOString(),
      closesAt: input.closesAt.toISOString(),
      objectionDays: input.objectionDays,
      scope: proposalScope(id).toString(),
      ...(trustees === null ? {} : { trustees: trustees.accountIds, threshold: trustees.threshold }),
    },
  });
  await em.execute(
    `insert into governance_proposals (id, community_id, title, body, form_kind, options, abstain, matter_item, census_kind, rule, mode,
       opens_at, closes_at, objection_days, status, scope, created_by, created_at, created_entry_id)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?)`,
    [
      id, input.communityId, title, body, form.kind, JSON.stringify(options), form.kind === 'choices' ? form.abstain : true, input.matterItem,
      input.censusKind, JSON.stringify(ruleJson), input.mode, input.opensAt, input.closesAt, input.objectionDays, proposalScope(id).toString(),
      caller.accountId, appended.time, appended.entryId,
    ],
  );
  if (trustees !== null) await recordTrustees(em, input.communityId, id, trustees);
  return (await findProposal(em, id))!;
}

/** Opens a draft at or after its opening time, pinning the census snapshot and its members. */
export async function openProposal(em: SqlEntityManager, viewer: Viewer | null, proposalId: string, now = new Date()): Promise<Proposal> {
  const proposal = await requireReadableProposal(em, viewer, proposalId, 'for update');
  const caller = requireCommittee(viewer, proposal.communityId, await managersMayPropose(em, proposal.communityId));
  if (proposal.status !== 'draft') throw new GovernanceError('PROPOSAL_STATE', 'Failed to open proposal: it is not a draft');
  if (now < proposal.opensAt) throw new GovernanceError('PROPOSAL_NOT_OPEN', 'Failed to open proposal: its opening time has not come');
  if (now >= proposal.closesAt) throw new GovernanceError('PROPOSAL_CLOSED', 'Failed to open proposal: its closing time has passed');
  const snapshot = await readCensusSnapshot(em, proposal.communityId, proposal.censusKind);
  const sizes: Array<{ size: unknown }> = await em.execute('select size from census_trees where community_id = ? and kind = ?', [proposal.communityId, proposal.censusKind]);
  const size = Number(sizes[0]!.size);
  await em.execute(
    `insert into governance_snapshot_members (community_id, proposal_id, leaf_index, leaf_id, account_id, household_id, identity_commitment, weight)
     select community_id, ?, leaf_index, id, account_id, household_id, identity_commitment, weight from census_leaves
      where community_id = ? and kind = ? and status = 'active'`,
    [proposal.id, proposal.communityId, proposal.censusKind],
  );
  const encryptedBallotKey = proposal.mode === 'encrypted' ? await pinElection(em, proposal, caller.accountId, snapshot.depth) : null;
  if (proposal.mode === 'encrypted') await startSums(em, proposal.communityId, proposal.id, ballotOptions(proposalForm(proposal)));
  const appended = await appendEntry(em, {
    communityId: proposal.communityId,
    type: 'governance.open',
    actor: caller.accountId,
    payload: {
      proposal: proposal.id,
      census: proposal.censusKind,
      root: snapshot.root.toString(),
      depth: snapshot.depth,
      size,
      heads: snapshot.heads.toString(),
      weight: snapshot.weight.toString(),
      ...(encryptedBallotKey === null ? {} : { encryptedBallotKey }),
    },
  });
  await em.execute(
    `update governance_proposals set status = 'open', snapshot_root = ?, snapshot_depth = ?, snapshot_size = ?, snapshot_heads = ?, snapshot_weight = ?,
       opened_at = ?, opened_entry_id = ? where id = ?`,
    [snapshot.root.toString(), snapshot.depth, size, snapshot.heads.toString(), snapshot.weight.toString(), appended.time, appended.entryId, proposal.id],
  );
  return (await findProposal(em, proposal.id))!;
}

/** Per option, the heads and weight of the ballots that currently count (every option present). */
export async function liveTotals(em: SqlEntityManager, proposal: Proposal): Promise<OptionTotals> {
  if (proposal.mode === 'encrypted') {
    // Heads are public (one nullifier, one head); the weights stay encrypted until the result, so they read 0 here.
    const sums: Array<{ option: string; heads: unknown }> = await em.execute('select option, heads from governance_encrypted_sums where proposal_id = ? order by position', [proposal.id]);
    const encrypted = new Map<string, VoteTotal>(ballotOptions(proposalForm(proposal)).map((option) => [option, { heads: 0n, weight: 0n }]));
    for (const row of sums) encrypted.set(row.option, { heads: BigInt(String(row.heads)), weight: 0n });
    return encrypted;
  }
  const rows: Array<{ choice: string; heads: unknown; weight: unknown }> = await em.execute(
    'select choice, count(*) as heads, coalesce(sum(weight), 0) as weight from governance_current_ballots where proposal_id = ? group by choice',
    [proposal.id],
  );
  const totals = new Map<string, VoteTotal>(ballotOptions(proposalForm(proposal)).map((option) => [option, { heads: 0n, weight: 0n }]));
  for (const row of rows) totals.set(row.choice, { heads: BigInt(String(row.heads)), weight: BigInt(String(row.weight)) });
  return totals;
}

/** Totals as the API and the live tally show them: per option, heads and weight as decimal strings. */
export function tallyView(totals: OptionTotals): Array<{ option: string; heads: string; weight: string }> {
  return [...totals].map(([option, total]) => ({ option, heads: total.heads.toString(), weight: total.weight.toString() }));
}

export interface ResultJson {
  proposal: string;
  rule: RuleJson;
  form: BallotForm['kind'];
  snapshot: { census: CensusKind; root: string; depth: number; size: number; heads: string; weight: string };
  totals: Array<{ option: string; heads: string; weight: string }>;
  participating: { heads: string; weight: string };
  participationMet: boolean;
  approval: Array<{ option: string; met: boolean }>;
  explanations: string[];
  adopted: string | null;
  passed: boolean;
  ballots: number;
  checkpoint: { treeSize: number; rootHash: string };
  objectionDays: number;
  /** Encrypted weights: the decrypted per-option sums, and the partial decryptions (with their proofs) that decrypted them. */
  encrypted?: { sums: Array<{ option: string; c1: { x: string; y: string }; c2: { x: string; y: string } }>; partialDecryptions: unknown[] };
}

export function verdictOf(proposal: Proposal, totals: OptionTotals): TallyVerdict {
  const snapshot = proposal.snapshot!;
  return decideTally(proposalRule(proposal), proposalForm(proposal), { heads: snapshot.heads, weight: snapshot.weight }, totals);
}

export function resultPayload(proposal: Proposal, verdict: TallyVerdict, ballots: number, checkpoint: { treeSize: number; rootHash: string }): ResultJson {
  const snapshot = proposal.snapshot!;
  const explanations: string[] = [];
  for (const check of [verdict.participation.area, verdict.participation.heads]) if (check) explanations.push(`participation: ${check.explanation}`);
  for (const option of verdict.options) {
    for (const check of [option.approval?.area, option.approval?.heads]) if (check) explanations.push(`${option.option}: ${check.explanation}`);
  }
  return {
    proposal: proposal.id,
    rule: proposal.rule,
    form: verdict.form,
    snapshot: {
      census: proposal.censusKind, root: snapshot.root.toString(), depth: snapshot.depth, size: snapshot.size,
      heads: snapshot.heads.toString(), weight: snapshot.weight.toString(),
    },
    totals: verdict.options.map((option) => ({ option: option.option, heads: option.heads.toString(), weight: option.weight.toString() })),
    participating: { heads: verdict.participating.heads.toString(), weight: verdict.participating.weight.toString() },
    participationMet: verdict.participation.met,
    approval: verdict.options.filter((option) => option.approval !== null).map((option) => ({ option: option.option, met: option.approval!.met })),
    explanations,
    adopted: verdict.adopted,
    passed: verdict.passed,
    ballots,
    checkpoint,
    objectionDays: proposal.objectionDays,
  };
}

/**
 * Closes an open proposal at or after its closing time: the tally by the pinned census
 * and the rule, a checkpoint covering every ballot entry, and the result entry citing it.
 * With no objection window the result is final at once. Anyone of the committee or the
 * managers may trigger it; `viewer` null is the system (the closing job).
 */
export async function closeProposal(
  em: SqlEntityManager,
  viewer: Viewer | null,
  proposalId: string,
  sealer: SecretSealer,
  now = new Date(),
): Promise<Proposal> {
  const proposal = viewer === null ? await findProposal(em, proposalId, 'for update') : await requireReadableProposal(em, viewer, proposalId, 'for update');
  if (!proposal) throw new NotFoundError('Proposal');
  const actor = viewer === null ? 'system' : requireCommittee(viewer, proposal.communityId, true).accountId;
  if (proposal.status !== 'open') throw new GovernanceError('PROPOSAL_STATE', 'Failed to close proposal: it is not open');
  if (now < proposal.closesAt) throw new GovernanceError('PROPOSAL_STATE', 'Failed to close proposal: its closing time has not come');
  if (proposal.mode === 'encrypted') return closeToTallying(em, proposal, actor, sealer);
  const verdict = verdictOf(proposal, await liveTotals(em, proposal));
  const counted: Array<{ count: unknown }> = await em.execute('select count(*) as count from governance_ballots where proposal_id = ?', [proposal.id]);
  // Every ballot entry is committed (each held this row for share); sequence them and sign a checkpoint over them.
  await integratePending(em, proposal.communityId);
  const checkpoint = await cutCheckpoint(em, proposal.communityId, sealer);
  const result = resultPayload(proposal, verdict, Number(counted[0]!.count), { treeSize: checkpoint.treeSize, rootHash: toHex(checkpoint.rootHash) });
  const appended = await appendEntry(em, {
    communityId: proposal.communityId,
    type: 'governance.result',
    actor,
    payload: { ...result, final: proposal.objectionDays === 0 } as unknown as Record<string, never>,
  });
  const final = proposal.objectionDays === 0;
  await em.execute(
    `update governance_proposals set status = ?, closed_at = ?, result = ?, result_entry_id = ?, checkpoint_size = ?,
       final_at = ?, final_entry_id = ? where id = ?`,
    [final ? 'final' : 'closed', appended.time, JSON.stringify(result), appended.entryId, checkpoint.treeSize,
      final ? appended.time : null, final ? appended.entryId : null, proposal.id],
  );
  return (await findProposal(em, proposal.id))!;
}

/**
 * The close of an encrypted-weight proposal: no more ballots, a checkpoint over every
 * ballot entry, and the per-option sums on the ledger for the trustees to decrypt. The
 * result follows once k trustees have published valid partial decryptions
 * (encrypted-proposals.ts).
 */
async function closeToTallying(em: SqlEntityManager, proposal: Proposal, actor: string, sealer: SecretSealer): Promise<Proposal> {
  await integratePending(em, proposal.communityId);
  const checkpoint = await cutCheckpoint(em, proposal.communityId, sealer);
  const appended = await recordClosingSums(em, proposal, actor, { treeSize: checkpoint.treeSize, rootHash: toHex(checkpoint.rootHash) });
  await em.execute(`update governance_proposals set status = 'tallying', closed_at = ?, checkpoint_size = ? where id = ?`,
    [appended.time, checkpoint.treeSize, proposal.id]);
  return (await findProposal(em, proposal.id))!;
}

/** When the objection window of a closed proposal ends. */
export function objectionWindowEnd(proposal: Proposal): Date | null {
  return proposal.closedAt && new Date(proposal.closedAt.getTime() + proposal.objectionDays * DAY_MS);
}

export interface Challenge {
  id: string;
  proposalId: string;
  reason: string;
  filedAt: Date;
  ledgerEntryId: number;
}

/** A member of the community challenges a closed result inside its objection window; on the ledger. */
export async function fileChallenge(em: SqlEntityManager, viewer: Viewer | null, proposalId: string, reasonText: string, now = new Date()): Promise<Challenge> {
  const proposal = await requireReadableProposal(em, viewer, proposalId, 'for share');
  const caller = requireViewer(viewer);
  if (!hasCommunityRole(caller, proposal.communityId, ['resident', 'committee', 'manager'])) throw new ForbiddenError('Requires membership of this community');
  const reason = requireText(reasonText, 'reason', { maxLength: MAX_REASON_LENGTH, multiline: true });
  const end = objectionWindowEnd(proposal);
  if (proposal.status !== 'closed' || end === null || now >= end) {
    throw new GovernanceError('OBJECTION_WINDOW_CLOSED', 'Failed to file challenge: the result is not in its objection window');
  }
  const id = randomUUID();
  const appended = await appendEntry(em, {
    communityId: proposal.communityId,
    type: 'governance.challenge',
    actor: caller.accountId,
    payload: { proposal: proposal.id, challenge: id, reason: createHash('sha256').update(reason, 'utf8').digest('hex') },
  });
  await em.execute(
    'insert into governance_challenges (id, community_id, proposal_id, filed_by, reason, filed_at, ledger_entry_id) values (?, ?, ?, ?, ?, ?, ?)',
    [id, proposal.communityId, proposal.id, caller.accountId, reason, appended.time, appended.entryId],
  );
  return { id, proposalId: proposal.id, reason, filedAt: appended.time, ledgerEntryId: appended.entryId };
}

/** After the objection window the result is final; the entry counts the challenges filed. */
export async function finalizeProposal(em: SqlEntityManager, viewer: Viewer | null, proposalId: string, now = new Date()): Promise<Proposal> {
  const proposal = viewer === null ? await findProposal(em, proposalId, 'for update') : await requireReadableProposal(em, viewer, proposalId, 'for update');
  if (!proposal) throw new NotFoundError('Proposal');
  const actor = viewer === null ? 'system' : requireCommittee(viewer, proposal.communityId, true).accountId;
  const end = objectionWindowEnd(proposal);
  if (proposal.status !== 'closed' || end === null || now < end) {
    throw new GovernanceError('PROPOSAL_STATE', 'Failed to finalize proposal: it is not closed with its objection window over');
  }
  const challenges: Array<{ count: unknown }> = await em.execute('select count(*) as count from governance_challenges where proposal_id = ?', [proposal.id]);
  const appended = await appendEntry(em, {
    communityId: proposal.communityId,
    type: 'governance.final',
    actor,
    payload: { proposal: proposal.id, challenges: Number(challenges[0]!.count) },
  });
  await em.execute(`update governance_proposals set status = 'final', final_at = ?, final_entry_id = ? where id = ?`, [appended.time, appended.entryId, proposal.id]);
  return (await findProposal(em, proposal.id))!;
}
