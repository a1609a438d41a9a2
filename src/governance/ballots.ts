/**
 * Ballots: anonymous (a membership proof against the pinned root, no login), named
 * (an authenticated member of the pinned census) and paper (named, entered by the
 * committee). Which ballot counts is decided by `admitBallot` (ballot-rules.ts) inside the
 * transaction that stores it; every ballot cast is kept with its proof and is a ledger
 * entry, and the one that counts per member is in `governance_current_ballots`.
 *
 * An anonymous ballot is checked in two steps: `verifyAnonymousBallot` outside any
 * transaction (cheap checks first — proof size and shape, signals in the field, the root
 * equal to the pinned root, scope and message — then the pairing, possibly batched), and
 * `recordAnonymousBallot` in the transaction: the proposal row for share (no ballot after
 * the close), the nullifier into the census's nullifier store (unique under concurrency:
 * the second of two equal nullifiers waits for the first), the member's current ballot
 * for update, the admission, the rows, the entry.
 */
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import { ForbiddenError, NotFoundError } from '../domain-error.ts';
import { hasCommunityRole, requireViewer, type Viewer } from '../accounts/viewer.ts';
import { householdsOfMember } from '../privacy/ownership.ts';
import { appendEntry } from '../ledger/append-entry.ts';
import { MembershipProofRejectedError } from '../census/census-errors.ts';
import { useNullifier } from '../census/nullifier-store.ts';
import { ProofRejectedError } from '../zk/errors.ts';
import { MEMBERSHIP_PUBLIC_SIGNAL_COUNT } from '../zk/membership-signals.ts';
import { parseProofJson, parsePublicSignals } from '../zk/proof-format.ts';
import type { BallotVerifier } from './ballot-verifier.ts';
import { admitBallot, type BallotBoxSetup, type BallotChannel, type BallotEvent, type CurrentBallot } from './ballot-rules.ts';
import { GovernanceError } from './governance-errors.ts';
import { verifyRootBoundProof } from './root-bound-proof.ts';
import { choiceMessage } from './proposal-scope.ts';
import { findProposal, proposalForm, requireReadableProposal, type Proposal } from './proposals.ts';

export interface BallotReceipt {
  ballotId: string;
  proposalId: string;
  communityId: string;
  channel: BallotChannel;
  choice: string;
  /** Anonymous ballots: the nullifier, which is how the voter recognises their ballot. */
  nullifier: bigint | null;
  /** The pending id of the ballot's ledger entry; its seq follows at integration. */
  ledgerEntryId: number;
  /** The entry's time (with ledgerEntryId, how its seq is found). */
  ledgerTime: Date;
  castAt: Date;
  /** Whether it replaced the member's earlier ballot. */
  replaced: boolean;
}

function requireOpenFor(proposal: Proposal, mode: 'anonymous' | 'named', now: Date): void {
  if (proposal.mode !== mode) throw new GovernanceError('BALLOT_MODE_MISMATCH', `Failed to cast ballot: this proposal takes ${proposal.mode} ballots`);
  if (proposal.status === 'draft') throw new GovernanceError('PROPOSAL_NOT_OPEN', 'Failed to cast ballot: the proposal is not open yet');
  if (proposal.status !== 'open' || now >= proposal.closesAt) throw new GovernanceError('PROPOSAL_CLOSED', 'Failed to cast ballot: the proposal is closed');
}

function setupOf(proposal: Proposal): BallotBoxSetup {
  const snapshot = proposal.snapshot!;
  return {
    // Only anonymous and named proposals reach here (requireOpenFor); encrypted ones are encrypted-proposals.ts's.
    mode: proposal.mode as BallotBoxSetup['mode'],
    form: proposalForm(proposal),
    census: { heads: snapshot.heads, weight: snapshot.weight },
    opensAtMs: proposal.openedAt!.getTime(),
    closesAtMs: proposal.closesAt.getTime(),
  };
}

function rejected(error: ProofRejectedError): MembershipProofRejectedError {
  return new MembershipProofRejectedError(error.code, error.message);
}

export interface VerifiedAnonymousBallot {
  proposalId: string;
  choice: string;
  nullifier: bigint;
  weight: bigint;
  proof: unknown;
  publicSignals: string[];
}

/**
 * Every check of an anonymous ballot that needs no lock: the proposal takes anonymous
 * ballots and is open, the choice is one of its options, the proof is well formed, its
 * root is the pinned snapshot root, and it verifies (scope = the proposal, message = the
 * choice) against the community's active key. Throws a typed error; writes nothing.
 */
export async function verifyAnonymousBallot(
  em: SqlEntityManager,
  verifier: BallotVerifier,
  input: { proposalId: string; choice: string; proof: string },
  now = new Date(),
): Promise<VerifiedAnonymousBallot> {
  const proposal = await findProposal(em, input.proposalId);
  if (!proposal) throw new NotFoundError('Proposal');
  requireOpenFor(proposal, 'anonymous', now);
  const message = choiceMessage(proposalForm(proposal), input.choice);
  const { root: pinnedRoot, depth: pinnedDepth } = proposal.snapshot!;
  let parsed: { proof: unknown; publicSignals: unknown };
  let signals: bigint[];
  try {
    parsed = parseProofJson(input.proof);
    signals = parsePublicSignals(parsed.publicSignals, MEMBERSHIP_PUBLIC_SIGNAL_COUNT);
  } catch (error) {
    if (error instanceof ProofRejectedError) throw rejected(error);
    throw error;
  }
  if (signals[1] !== pinnedRoot) throw new GovernanceError('ROOT_NOT_PINNED', "Failed to cast ballot: the proof is not for the proposal's pinned census root");
  const { nullifier, attribute: weight } = await verifyRootBoundProof(em, verifier, {
    communityId: proposal.communityId, kind: proposal.censusKind, root: { root: pinnedRoot, depth: pinnedDepth },
    proof: parsed.proof, publicSignals: parsed.publicSignals, scope: proposal.scope, message,
  });
  return { proposalId: proposal.id, choice: input.choice, nullifier, weight, proof: parsed.proof, publicSignals: signals.map(String) };
}

interface StoreInput {
  proposal: Proposal;
  event: BallotEvent;
  memberKey: string;
  current: CurrentBallot | undefined;
  nullifier: bigint | null;
  proof: unknown;
  enteredBy: string | null;
  actor: string;
  /** Named ballots: the census leaf's id, on the ledger (an opaque id, never a name). */
  member: string | null;
}

async function currentBallot(em: SqlEntityManager, proposalId: string, memberKey: string): Promise<(CurrentBallot & { ballotId: string }) | undefined> {
  // Lock the member's row alone: a join here would, on PostgreSQL, re-check the joined
  // ballot under the statement's old snapshot after waiting, and miss a ballot committed meanwhile.
  const rows: Array<{ ballot_id: string; channel: string; choice: string; weight: unknown }> = await em.execute(
    'select ballot_id, channel, choice, weight from governance_current_ballots where proposal_id = ? and member_key = ? for update',
    [proposalId, memberKey],
  );
  const row = rows[0];
  if (!row) return undefined;
  const cast: Array<{ cast_at: unknown }> = await em.execute('select cast_at from governance_ballots where id = ?', [row.ballot_id]);
  const castAt = cast[0]!.cast_at;
  return {
    ballotId: row.ballot_id,
    memberKey,
    channel: row.channel as BallotChannel,
    choice: row.choice,
    weight: BigInt(String(row.weight)),
    castAtMs: (castAt instanceof Date ? castAt : new Date(String(castAt))).getTime(),
  };
}

async function storeBallot(em: SqlEntityManager, input: StoreInput, now: Date): Promise<BallotReceipt> {
  const { proposal } = input;
  const admission = admitBallot(setupOf(proposal), input.current, input.event);
  const ballotId = randomUUID();
  const replacedId = (input.current as { ballotId?: string } | undefined)?.ballotId ?? null;
  const appended = await appendEntry(em, {
    communityId: proposal.communityId,
    type: 'governance.ballot',
    actor: input.actor,
    payload: {
      proposal: proposal.id,
      ballot: ballotId,
      channel: admission.ballot.channel,
      choice: admission.ballot.choice,
      weight: admission.ballot.weight.toString(),
      castAt: now.toISOString(),
      ...(input.nullifier === null ? {} : { nullifier: input.nullifier.toString() }),
      ...(input.member === null ? {} : { member: input.member }),
      ...(replacedId === null ? {} : { replaces: replacedId }),
    },
  });
  await em.execute(
    `insert into governance_ballots (id, community_id, proposal_id, member_key, channel, choice, weight, nullifier, proof, entered_by, cast_at, ledger_entry_id, ledger_time)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      ballotId, proposal.communityId, proposal.id, input.memberKey, admission.ballot.channel, admission.ballot.choice, admission.ballot.weight.toString(),
      input.nullifier === null ? null : input.nullifier.toString(), input.proof === null ? null : JSON.stringify(input.proof),
      input.enteredBy, now, appended.entryId, appended.time,
    ],
  );
  await em.execute(
    `insert into governance_current_ballots (community_id, proposal_id, member_key, ballot_id, channel, choice, weight) values (?, ?, ?, ?, ?, ?, ?)
     on conflict (community_id, proposal_id, member_key) do update set ballot_id = excluded.ballot_id, channel = excluded.channel,
       choice = excluded.choice, weight = excluded.weight`,
    [proposal.communityId, proposal.id, input.memberKey, ballotId, admission.ballot.channel, admission.ballot.choice, admission.ballot.weight.toString()],
  );
  return {
    ballotId,
    proposalId: proposal.id,
    communityId: proposal.communityId,
    channel: admission.ballot.channel,
    choice: admission.ballot.choice,
    nullifier: input.nullifier,
    ledgerEntryId: appended.entryId,
    ledgerTime: appended.time,
    castAt: now,
    replaced: admission.replaced !== undefined,
  };
}

/** Records a verified anonymous ballot: a later ballot with the same nullifier replaces the earlier. */
export async function recordAnonymousBallot(em: SqlEntityManager, ballot: VerifiedAnonymousBallot, now = new Date()): Promise<BallotReceipt> {
  const proposal = (await findProposal(em, ballot.proposalId, 'for share'))!;
  requireOpenFor(proposal, 'anonymous', now);
  const fresh = await useNullifier(em, { communityId: proposal.communityId, scope: proposal.scope, nullifier: ballot.nullifier }, now);
  const memberKey = `nullifier:${ballot.nullifier}`;
  const current = fresh ? undefined : await currentBallot(em, proposal.id, memberKey);
  return storeBallot(em, {
    proposal,
    event: { kind: 'anonymous', nullifier: ballot.nullifier, choice: ballot.choice, weight: ballot.weight, castAtMs: now.getTime() },
    memberKey,
    current,
    nullifier: ballot.nullifier,
    proof: { proof: ballot.proof, publicSignals: ballot.publicSignals },
    enteredBy: null,
    actor: 'anonymous',
    member: null,
  }, now);
}

interface SnapshotMember {
  leafId: string;
  leafIndex: number;
  weight: bigint;
}

type SnapshotMemberKey = { accountId: string } | { householdId: string } | { leafIndex: number };

async function lockSnapshotMember(em: SqlEntityManager, proposalId: string, where: SnapshotMemberKey): Promise<SnapshotMember> {
  const [column, value] =
    'accountId' in where ? ['account_id', where.accountId] : 'householdId' in where ? ['household_id', where.householdId] : ['leaf_index', where.leafIndex];
  const rows: Array<{ leaf_id: string; leaf_index: unknown; weight: unknown }> = await em.execute(
    `select leaf_id, leaf_index, weight from governance_snapshot_members where proposal_id = ? and ${column} = ? for update`,
    [proposalId, value],
  );
  const row = rows[0];
  if (!row) throw new GovernanceError('NOT_A_CENSUS_MEMBER', "Failed to cast ballot: not a member of the proposal's pinned census");
  return { leafId: row.leaf_id, leafIndex: Number(row.leaf_index), weight: BigInt(String(row.weight)) };
}

async function castNamed(
  em: SqlEntityManager,
  proposal: Proposal,
  member: SnapshotMember,
  channel: 'online' | 'paper',
  choice: string,
  actor: string,
  now: Date,
): Promise<BallotReceipt> {
  const memberKey = `member:${member.leafId}`;
  return storeBallot(em, {
    proposal,
    event: { kind: 'named', memberId: member.leafId, channel, choice, weight: member.weight, castAtMs: now.getTime() },
    memberKey,
    current: await currentBallot(em, proposal.id, memberKey),
    nullifier: null,
    proof: null,
    enteredBy: channel === 'paper' ? actor : null,
    actor,
    member: member.leafId,
  }, now);
}

/**
 * Who the caller votes as: in an owners census, themselves; in a households census, their
 * household — the one named, which must be theirs, or their only one in the community.
 */
async function namedVoterKey(em: SqlEntityManager, caller: Viewer, proposal: Proposal, householdId: string | null | undefined): Promise<SnapshotMemberKey> {
  if (proposal.censusKind !== 'households') return { accountId: caller.accountId };
  const households = await householdsOfMember(em, proposal.communityId, caller.accountId);
  if (householdId) {
    if (!households.includes(householdId)) throw new GovernanceError('NOT_A_CENSUS_MEMBER', "Failed to cast ballot: not a member of that household");
    return { householdId };
  }
  if (households.length === 0) throw new GovernanceError('NOT_A_CENSUS_MEMBER', "Failed to cast ballot: not a member of the proposal's pinned census");
  if (households.length > 1) throw new GovernanceError('HOUSEHOLD_REQUIRED', 'Failed to cast ballot: you belong to several households; name the one you vote for');
  return { householdId: households[0]! };
}

/**
 * A member of the pinned census votes by name, one ballot per member (a later one
 * replaces): an owner for themselves, a resident for their household (any of its members'
 * later ballot replaces the household's earlier one).
 */
export async function castNamedBallot(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { proposalId: string; choice: string; householdId?: string | null },
  now = new Date(),
): Promise<BallotReceipt> {
  const caller = requireViewer(viewer);
  const proposal = await requireReadableProposal(em, caller, input.proposalId, 'for share');
  requireOpenFor(proposal, 'named', now);
  const member = await lockSnapshotMember(em, proposal.id, await namedVoterKey(em, caller, proposal, input.householdId));
  return castNamed(em, proposal, member, 'online', input.choice, caller.accountId, now);
}

/** The committee enters a member's paper ballot; it supersedes the member's online ballot. */
export async function enterPaperBallot(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { proposalId: string; leafIndex: number; choice: string },
  now = new Date(),
): Promise<BallotReceipt> {
  const caller = requireViewer(viewer);
  const proposal = await requireReadableProposal(em, caller, input.proposalId, 'for share');
  if (!hasCommunityRole(caller, proposal.communityId, ['committee'])) throw new ForbiddenError('Requires the committee role in this community');
  if (proposal.mode !== 'named') throw new GovernanceError('BALLOT_MODE_MISMATCH', 'Failed to enter paper ballot: paper ballots exist only in named proposals');
  requireOpenFor(proposal, 'named', now);
  const member = await lockSnapshotMember(em, proposal.id, { leafIndex: input.leafIndex });
  return castNamed(em, proposal, member, 'paper', input.choice, caller.accountId, now);
}
