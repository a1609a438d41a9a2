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
 * the close) with the member's current ballot for update and the active key's hash (one
 * statement); for a first ballot the nullifier into the census's nullifier store (unique
 * under concurrency: the second of two equal nullifiers waits for the first); the
 * admission; then the entry with the ballot rows (one statement, appendEntryWith).
 */
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import { ForbiddenError, NotFoundError } from '../domain-error.ts';
import { hasCommunityRole, requireViewer, type Viewer } from '../accounts/viewer.ts';
import { householdsOfMember } from '../privacy/ownership.ts';
import { appendEntryWith } from '../ledger/append-entry.ts';
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
import { PROPOSAL_COLUMNS, proposalForm, proposalFromRow, requireReadableProposal, type Proposal } from './proposals.ts';
import { BallotCheckCache } from './ballot-check-cache.ts';

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
  /** The verification key the proof was checked against; the recording refuses the ballot if it is no longer active. */
  keyHash: string;
}

/**
 * Every check of an anonymous ballot that needs no lock: the proposal takes anonymous
 * ballots and is open, the choice is one of its options, the proof is well formed, its
 * root is the pinned snapshot root, and it verifies (scope = the proposal, message = the
 * choice) against the community's active key. Throws a typed error; writes nothing. The
 * proposal and key come from `checks` (read once per proposal and second, see
 * ballot-check-cache.ts); the recording transaction reads both again under its lock.
 */
export async function verifyAnonymousBallot(
  em: SqlEntityManager,
  verifier: BallotVerifier,
  input: { proposalId: string; choice: string; proof: string },
  now = new Date(),
  checks: BallotCheckCache = new BallotCheckCache(0),
): Promise<VerifiedAnonymousBallot> {
  const inputs = await checks.read(em, input.proposalId, now.getTime());
  if (!inputs) throw new NotFoundError('Proposal');
  const { proposal } = inputs;
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
  const { nullifier, attribute: weight, keyHash } = await verifyRootBoundProof(em, verifier, {
    communityId: proposal.communityId, kind: proposal.censusKind, root: { root: pinnedRoot, depth: pinnedDepth },
    proof: parsed.proof, publicSignals: parsed.publicSignals, scope: proposal.scope, message, key: inputs.key,
  });
  return { proposalId: proposal.id, choice: input.choice, nullifier, weight, proof: parsed.proof, publicSignals: signals.map(String), keyHash };
}

interface StoreInput {
  proposal: Proposal;
  event: BallotEvent;
  memberKey: string;
  current: HeldBallot | undefined;
  nullifier: bigint | null;
  proof: unknown;
  enteredBy: string | null;
  actor: string;
  /** Named ballots: the census leaf's id, on the ledger (an opaque id, never a name). */
  member: string | null;
}

/** A member's current ballot as the admission needs it (admitBallot reads its member, channel and weight). */
type HeldBallot = Pick<CurrentBallot, 'memberKey' | 'channel' | 'weight'> & { ballotId: string };

function heldBallot(memberKey: string, row: { ballot_id: unknown; channel: unknown; weight: unknown }): HeldBallot {
  return { ballotId: String(row.ballot_id), memberKey, channel: String(row.channel) as BallotChannel, weight: BigInt(String(row.weight)) };
}

async function currentBallot(em: SqlEntityManager, proposalId: string, memberKey: string): Promise<HeldBallot | undefined> {
  // Lock the member's row alone: a join here would, on PostgreSQL, re-check the joined
  // ballot under the statement's old snapshot after waiting, and miss a ballot committed meanwhile.
  const rows: Array<{ ballot_id: string; channel: string; weight: unknown }> = await em.execute(
    'select ballot_id, channel, weight from governance_current_ballots where proposal_id = ? and member_key = ? for update',
    [proposalId, memberKey],
  );
  return rows[0] ? heldBallot(memberKey, rows[0]) : undefined;
}

async function storeBallot(em: SqlEntityManager, input: StoreInput, now: Date): Promise<BallotReceipt> {
  const { proposal } = input;
  const admission = admitBallot(setupOf(proposal), input.current, input.event);
  const ballotId = randomUUID();
  const replacedId = input.current?.ballotId ?? null;
  const { channel, choice, weight } = admission.ballot;
  // The entry and the rows that point at it in one statement, after the locks (docs/ledger.md).
  const appended = await appendEntryWith(em, {
    communityId: proposal.communityId,
    type: 'governance.ballot',
    actor: input.actor,
    payload: {
      proposal: proposal.id,
      ballot: ballotId,
      channel,
      choice,
      weight: weight.toString(),
      castAt: now.toISOString(),
      ...(input.nullifier === null ? {} : { nullifier: input.nullifier.toString() }),
      ...(input.member === null ? {} : { member: input.member }),
      ...(replacedId === null ? {} : { replaces: replacedId }),
    },
  }, [
    {
      sql: `insert into governance_ballots (id, community_id, proposal_id, member_key, channel, choice, weight, nullifier, proof, entered_by, cast_at, ledger_entry_id, ledger_time)
            select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, entry.id, entry.recorded_at from entry`,
      params: [
        ballotId, proposal.communityId, proposal.id, input.memberKey, channel, choice, weight.toString(),
        input.nullifier === null ? null : input.nullifier.toString(), input.proof === null ? null : JSON.stringify(input.proof),
        input.enteredBy, now,
      ],
    },
    {
      sql: `insert into governance_current_ballots (community_id, proposal_id, member_key, ballot_id, channel, choice, weight) values (?, ?, ?, ?, ?, ?, ?)
            on conflict (community_id, proposal_id, member_key) do update set ballot_id = excluded.ballot_id, channel = excluded.channel,
              choice = excluded.choice, weight = excluded.weight`,
      params: [proposal.communityId, proposal.id, input.memberKey, ballotId, channel, choice, weight.toString()],
    },
  ]);
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

/**
 * The proposal for share, the member's current ballot for update and the hash of the
 * community's active membership key of the snapshot's depth, in one statement. The member's
 * row is locked in a CTE of its own (materialized, so it is locked once and its latest
 * version returned after a wait); the key is read, not locked, as the ballot path always did.
 */
async function lockAnonymousBallotBox(
  em: SqlEntityManager,
  proposalId: string,
  memberKey: string,
): Promise<{ proposal: Proposal; current: HeldBallot | undefined; activeKeyHash: string | null } | undefined> {
  const rows: Array<Record<string, unknown>> = await em.execute(
    `with held as materialized (
       select ballot_id, channel, weight from governance_current_ballots where proposal_id = ? and member_key = ? for update)
     select ${PROPOSAL_COLUMNS},
       (select key_hash from zk_verification_keys k where k.community_id = governance_proposals.community_id and k.circuit = 'membership'
           and k.depth = governance_proposals.snapshot_depth and k.deactivated_at is null) as active_key_hash,
       held.ballot_id as held_ballot_id, held.channel as held_channel, held.weight as held_weight
       from governance_proposals left join held on true
      where governance_proposals.id = ? for share of governance_proposals`,
    [proposalId, memberKey, proposalId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const current = row['held_ballot_id'] === null || row['held_ballot_id'] === undefined
    ? undefined
    : heldBallot(memberKey, { ballot_id: row['held_ballot_id'], channel: row['held_channel'], weight: row['held_weight'] });
  const activeKeyHash = row['active_key_hash'] === null || row['active_key_hash'] === undefined ? null : String(row['active_key_hash']);
  return { proposal: proposalFromRow(row), current, activeKeyHash };
}

/**
 * Records a verified anonymous ballot: a later ballot with the same nullifier replaces the
 * earlier. A re-vote finds the member's current ballot with the proposal lock (its
 * nullifier is in the store already); a first ballot puts the nullifier into the store,
 * and if a concurrent first ballot with the same nullifier committed meanwhile, replaces it.
 */
export async function recordAnonymousBallot(em: SqlEntityManager, ballot: VerifiedAnonymousBallot, now = new Date()): Promise<BallotReceipt> {
  const memberKey = `nullifier:${ballot.nullifier}`;
  const locked = await lockAnonymousBallotBox(em, ballot.proposalId, memberKey);
  if (!locked) throw new NotFoundError('Proposal');
  const { proposal } = locked;
  requireOpenFor(proposal, 'anonymous', now);
  if (locked.activeKeyHash !== ballot.keyHash) {
    throw new MembershipProofRejectedError('NO_KEY_FOR_DEPTH', 'the verification key the proof was checked against is no longer active; send the ballot again');
  }
  let current = locked.current;
  if (!current) {
    const fresh = await useNullifier(em, { communityId: proposal.communityId, scope: proposal.scope, nullifier: ballot.nullifier }, now);
    if (!fresh) current = await currentBallot(em, proposal.id, memberKey);
  }
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
