/**
 * Ballot rules: which ballot of a member counts, as a pure reducer.
 *
 * - One ballot per member. An anonymous ballot's member is its nullifier (one per
 *   identity and proposal); a named ballot's member is the census member's opaque id.
 * - A later ballot of the same member, before the close, replaces the earlier one: the
 *   last counts. "Later" is the order in which ballots were admitted (the ledger order).
 * - A paper ballot (named, entered by the committee) supersedes the member's online
 *   ballot; an online ballot never supersedes a paper one. A later paper ballot replaces
 *   an earlier paper ballot (the committee correcting its entry).
 * - Nothing is admitted before the opening or at or after the close: the voting window
 *   is [opensAtMs, closesAtMs). Paper ballots must be entered before the close too.
 * - Paper ballots exist only in named proposals: in an anonymous one nobody can tell
 *   which nullifier is the member's, so a paper ballot could not replace it.
 * - A member's weight comes from their census leaf and does not change between their
 *   ballots. An owner of several units is one member (one head) with the sum of areas.
 *
 * `admitBallot` decides one ballot against the member's current ballot; the service calls
 * it inside the transaction that stores the ballot, and `replayBallots` folds the same
 * function over the ledger's ballot events, so the live tally and a replay agree by
 * construction.
 */
import { isFieldElement } from '../zk/field.ts';
import { GovernanceError } from './governance-errors.ts';
import { ballotOptions, requireValidCensus, type BallotForm, type CensusCounts, type OptionTotals, type VoteTotal } from './tally-rules.ts';

/** An owner's weight is at most this many 0.01 m² (the census's own per-leaf limit). */
export const MAX_MEMBER_WEIGHT = 1_000_000_000_000n;
/** A named member id is an opaque id (an account's or census member's UUID), never a name. */
export const MAX_MEMBER_ID_LENGTH = 64;
const MEMBER_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export type BallotMode = 'anonymous' | 'named';

export interface BallotBoxSetup {
  mode: BallotMode;
  form: BallotForm;
  /** The pinned census snapshot's totals. */
  census: CensusCounts;
  opensAtMs: number;
  closesAtMs: number;
}

export type BallotEvent =
  | { kind: 'anonymous'; nullifier: bigint; choice: string; weight: bigint; castAtMs: number }
  | { kind: 'named'; memberId: string; channel: 'online' | 'paper'; choice: string; weight: bigint; castAtMs: number };

export type BallotChannel = 'anonymous' | 'online' | 'paper';

/** The ballot that currently counts for one member. */
export interface CurrentBallot {
  memberKey: string;
  channel: BallotChannel;
  choice: string;
  weight: bigint;
  castAtMs: number;
}

export interface BallotAdmission {
  ballot: CurrentBallot;
  /** The member's earlier ballot that this one replaces, if any. */
  replaced: CurrentBallot | undefined;
}

/** Checks the setup: a valid form, census and window. */
export function requireValidSetup(setup: BallotBoxSetup): void {
  if (setup.mode !== 'anonymous' && setup.mode !== 'named') throw new GovernanceError('BALLOT_MODE_MISMATCH', 'Invalid mode: anonymous or named');
  ballotOptions(setup.form);
  requireValidCensus(setup.census);
  if (!Number.isSafeInteger(setup.opensAtMs) || !Number.isSafeInteger(setup.closesAtMs) || setup.opensAtMs >= setup.closesAtMs) {
    throw new GovernanceError('INVALID_WINDOW', 'Invalid voting window: the opening must be an integer time before the close');
  }
}

/** The key that makes one ballot per member: "nullifier:<decimal>" or "member:<id>". */
export function memberKeyOf(event: BallotEvent): string {
  if (event.kind === 'anonymous') {
    if (typeof event.nullifier !== 'bigint' || event.nullifier === 0n || !isFieldElement(event.nullifier)) {
      throw new GovernanceError('INVALID_MEMBER', 'Invalid nullifier: must be a non-zero field element');
    }
    return `nullifier:${event.nullifier}`;
  }
  if (typeof event.memberId !== 'string' || event.memberId.length > MAX_MEMBER_ID_LENGTH || !MEMBER_ID_PATTERN.test(event.memberId)) {
    throw new GovernanceError('INVALID_MEMBER', `Invalid member id: an opaque id of 1 to ${MAX_MEMBER_ID_LENGTH} letters, digits, - or _`);
  }
  return `member:${event.memberId}`;
}

function channelOf(event: BallotEvent): BallotChannel {
  return event.kind === 'anonymous' ? 'anonymous' : event.channel;
}

function requireEventShape(setup: BallotBoxSetup, event: BallotEvent): void {
  if (event.kind !== setup.mode) {
    throw new GovernanceError('BALLOT_MODE_MISMATCH', `Failed to cast ballot: this proposal takes ${setup.mode} ballots`);
  }
  if (event.kind === 'named' && event.channel !== 'online' && event.channel !== 'paper') {
    throw new GovernanceError('BALLOT_MODE_MISMATCH', 'Failed to cast ballot: a named ballot is online or paper');
  }
  if (!ballotOptions(setup.form).includes(event.choice)) {
    throw new GovernanceError('UNKNOWN_CHOICE', 'Failed to cast ballot: the choice is not an option of this proposal');
  }
  if (typeof event.weight !== 'bigint' || event.weight < 1n || event.weight > MAX_MEMBER_WEIGHT) {
    throw new GovernanceError('INVALID_WEIGHT', `Failed to cast ballot: the weight must be 1 to ${MAX_MEMBER_WEIGHT} (0.01 m²)`);
  }
  if (!Number.isSafeInteger(event.castAtMs)) throw new GovernanceError('INVALID_WINDOW', 'Failed to cast ballot: the time must be an integer');
  if (event.castAtMs < setup.opensAtMs) throw new GovernanceError('PROPOSAL_NOT_OPEN', 'Failed to cast ballot: the proposal is not open yet');
  if (event.castAtMs >= setup.closesAtMs) throw new GovernanceError('PROPOSAL_CLOSED', 'Failed to cast ballot: the proposal is closed');
}

/**
 * Decides one ballot given the member's current ballot (undefined if none). Returns the
 * ballot that now counts and the one it replaces; throws a GovernanceError, and nothing
 * should be written, when the ballot is refused.
 */
export function admitBallot<Held extends Pick<CurrentBallot, 'memberKey' | 'channel' | 'weight'> = CurrentBallot>(
  setup: BallotBoxSetup,
  current: Held | undefined,
  event: BallotEvent,
): { ballot: CurrentBallot; replaced: Held | undefined } {
  requireEventShape(setup, event);
  const memberKey = memberKeyOf(event);
  const channel = channelOf(event);
  if (current !== undefined) {
    if (current.memberKey !== memberKey) throw new GovernanceError('INVALID_MEMBER', 'Failed to cast ballot: the current ballot is another member\'s');
    if (current.weight !== event.weight) {
      throw new GovernanceError('WEIGHT_CHANGED', 'Failed to cast ballot: the weight differs from the member\'s earlier ballot');
    }
    if (current.channel === 'paper' && channel === 'online') {
      throw new GovernanceError('SUPERSEDED_BY_PAPER', 'Failed to cast ballot: the committee has entered this member\'s paper ballot');
    }
  }
  return { ballot: { memberKey, channel, choice: event.choice, weight: event.weight, castAtMs: event.castAtMs }, replaced: current };
}

export interface BallotBox {
  /** The ballot that counts, per member key. */
  ballots: ReadonlyMap<string, CurrentBallot>;
  totals: OptionTotals;
}

function addTo(totals: Map<string, VoteTotal>, ballot: CurrentBallot, sign: 1n | -1n): void {
  const total = totals.get(ballot.choice) ?? { heads: 0n, weight: 0n };
  totals.set(ballot.choice, { heads: total.heads + sign, weight: total.weight + sign * ballot.weight });
}

function requireWithinCensus(census: CensusCounts, totals: OptionTotals): void {
  let heads = 0n;
  let weight = 0n;
  for (const total of totals.values()) {
    heads += total.heads;
    weight += total.weight;
  }
  if (heads > census.heads || weight > census.weight) {
    throw new GovernanceError('TALLY_EXCEEDS_CENSUS', 'Failed to tally: the ballots count more heads or weight than the pinned census');
  }
}

/** Per option, the heads and weight of the given current ballots (every option present, zero if none). */
export function tallyTotals(setup: BallotBoxSetup, ballots: Iterable<CurrentBallot>): OptionTotals {
  const totals = new Map<string, VoteTotal>(ballotOptions(setup.form).map((option) => [option, { heads: 0n, weight: 0n }]));
  for (const ballot of ballots) {
    if (!totals.has(ballot.choice)) throw new GovernanceError('UNKNOWN_CHOICE', 'Failed to tally: a ballot names an option the proposal does not have');
    addTo(totals, ballot, 1n);
  }
  requireWithinCensus(setup.census, totals);
  return totals;
}

/** The totals after an admission: the replaced ballot comes out, the new one goes in. */
export function applyAdmission(setup: BallotBoxSetup, totals: OptionTotals, admission: BallotAdmission): OptionTotals {
  const next = new Map(totals);
  if (admission.replaced) addTo(next, admission.replaced, -1n);
  addTo(next, admission.ballot, 1n);
  requireWithinCensus(setup.census, next);
  return next;
}

/**
 * Folds the ballot events, in the order they were admitted, into the current ballots and
 * the totals. A refused event throws, as it would have when cast: a ledger holds none.
 */
export function replayBallots(setup: BallotBoxSetup, events: Iterable<BallotEvent>): BallotBox {
  requireValidSetup(setup);
  const ballots = new Map<string, CurrentBallot>();
  for (const event of events) {
    const { ballot } = admitBallot(setup, ballots.get(memberKeyOf(event)), event);
    ballots.set(ballot.memberKey, ballot);
  }
  return { ballots, totals: tallyTotals(setup, ballots.values()) };
}
