/**
 * Encrypted-weight proposals (issue 15) as the trustees and the voters drive them:
 *
 * - while the proposal is a draft, each trustee publishes its key-generation round 1
 *   (Feldman commitments, proof of knowledge, transport key), then its round 2 (its shares,
 *   each sealed to its recipient), and, for a share that does not open or match, a
 *   complaint that anyone can judge — each a ledger entry (`governance.dkg-round-1`,
 *   `governance.dkg-round-2`, `governance.dkg-complaint`); the shares themselves are made
 *   and opened on the trustees' devices (src/governance/encrypted-weights/election-key.ts);
 * - the opening pins the election key (encrypted-election.ts);
 * - an owner casts an anonymous ballot whose proof carries an encryption of its area
 *   (`castEncryptedBallot`): verified strictly, stored with its ciphertext, added to the
 *   running sum of its option (a re-vote with the same nullifier takes the earlier one out);
 * - after the close, k trustees publish partial decryptions of the sums with Chaum–Pedersen
 *   proofs (`governance.partial-decryption`); with the k-th the server combines them,
 *   recovers the area sums by the bounded discrete logarithm, decides with the same
 *   `decideTally` as for public weights, and appends the result entry carrying the sums and
 *   the partial decryptions with their proofs.
 *
 * Every refusal is typed (GovernanceError, EncryptedWeightError, MembershipProofRejectedError)
 * and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../domain-error.ts';
import { hasCommunityRole, isRegulatorOf, requireViewer, type Viewer } from '../accounts/viewer.ts';
import { appendEntry } from '../ledger/append-entry.ts';
import { MembershipProofRejectedError } from '../census/census-errors.ts';
import { useNullifier } from '../census/nullifier-store.ts';
import { ProofRejectedError } from '../zk/errors.ts';
import { parseProofJson } from '../zk/proof-format.ts';
import type { BallotReceipt } from './ballots.ts';
import { decideEncryptedTally, EncryptedBallotBox, verifyEncryptedBallot, type EncryptedBallot } from './encrypted-tally.ts';
import {
  electionMessages, electionParameters, findElection, readSums, type Election, type ElectionMessageKind,
} from './encrypted-election.ts';
import { DiscreteLogTable } from './encrypted-weights/discrete-log.ts';
import {
  addCiphertexts, ciphertextFromJson, ciphertextToJson, subtractCiphertexts, trustedCiphertextFromJson, type Ciphertext,
} from './encrypted-weights/elgamal.ts';
import {
  judgeComplaint, parseRound1, parseRound1Message, type DkgComplaint, type DkgRound1Message, type DkgRound2Message,
} from './encrypted-weights/election-key.ts';
import { EncryptedWeightError } from './encrypted-weights/encrypted-weight-errors.ts';
import { verifyPartialDecryption, type PartialDecryptionMessage } from './encrypted-weights/partial-decryption.ts';
import { GovernanceError } from './governance-errors.ts';
import { findProposal, proposalForm, proposalRule, requireReadableProposal, resultPayload, type Proposal, type ResultJson } from './proposals.ts';
import { ballotOptions } from './tally-rules.ts';

/** A trustee's message as JSON text: a round-2 batch of 15 sealed shares or a partial decryption of 21 sums is well under this. */
export const MAX_ELECTION_MESSAGE_BYTES = 16 * 1024;

function parseMessage<T>(text: string, parameter: string): T {
  if (Buffer.byteLength(text, 'utf8') > MAX_ELECTION_MESSAGE_BYTES) throw new InvalidInputError(parameter, `is over ${MAX_ELECTION_MESSAGE_BYTES} bytes`);
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    return value as T;
  } catch {
    throw new InvalidInputError(parameter, 'is not a JSON object or list');
  }
}

interface TrusteeCall {
  proposal: Proposal;
  election: Election;
  trustee: number;
  caller: Viewer;
}

/**
 * The caller must be one of the proposal's trustees and still hold the role that made it
 * one (committee or manager of the community, or its regulator). The election row is
 * locked, so one trustee message at a time is accepted per proposal.
 */
async function requireTrustee(em: SqlEntityManager, viewer: Viewer | null, proposalId: string): Promise<TrusteeCall> {
  const caller = requireViewer(viewer);
  const proposal = await requireReadableProposal(em, caller, proposalId, 'for share');
  const election = proposal.mode === 'encrypted' ? await findElection(em, proposal.id, 'for update') : undefined;
  if (!election) throw new GovernanceError('BALLOT_MODE_MISMATCH', 'Failed to publish: the proposal has no encrypted weights');
  const entry = election.trustees.find((trustee) => trustee.accountId === caller.accountId);
  const holdsRole = hasCommunityRole(caller, proposal.communityId, ['committee', 'manager']) || isRegulatorOf(caller, proposal.communityId);
  if (!entry || !holdsRole) throw new GovernanceError('NOT_A_TRUSTEE', "Failed to publish: you are not one of this proposal's trustees");
  return { proposal, election, trustee: entry.trustee, caller };
}

async function storeMessage(
  em: SqlEntityManager, call: TrusteeCall, kind: ElectionMessageKind, subject: number, message: unknown, entryPayload: Record<string, unknown>,
): Promise<{ ledgerEntryId: number }> {
  const existing: unknown[] = await em.execute(
    'select 1 from governance_election_messages where proposal_id = ? and kind = ? and trustee = ? and subject = ?', [call.proposal.id, kind, call.trustee, subject]);
  if (existing.length > 0) throw new GovernanceError('TRUSTEE_MESSAGE_REPEATED', `Failed to publish: trustee ${call.trustee} already published its ${kind}`);
  const appended = await appendEntry(em, {
    communityId: call.proposal.communityId,
    type: `governance.${kind}`,
    actor: call.caller.accountId,
    payload: { proposal: call.proposal.id, trustee: call.trustee, ...entryPayload } as never,
  });
  await em.execute(
    'insert into governance_election_messages (id, community_id, proposal_id, kind, trustee, subject, message, ledger_entry_id) values (?, ?, ?, ?, ?, ?, ?, ?)',
    [randomUUID(), call.proposal.communityId, call.proposal.id, kind, call.trustee, subject, JSON.stringify(message), appended.entryId],
  );
  return { ledgerEntryId: appended.entryId };
}

function requireDraft(proposal: Proposal): void {
  if (proposal.status !== 'draft') throw new GovernanceError('PROPOSAL_STATE', 'Failed to publish: the election key is generated while the proposal is a draft');
}

/** Round 1: the trustee's commitments, proof of knowledge and transport key, verified. */
export async function publishKeyCommitments(em: SqlEntityManager, viewer: Viewer | null, proposalId: string, messageText: string): Promise<{ ledgerEntryId: number; trustee: number }> {
  const call = await requireTrustee(em, viewer, proposalId);
  requireDraft(call.proposal);
  const message = parseMessage<DkgRound1Message>(messageText, 'message');
  parseRound1Message(electionParameters(call.election), message);
  if (message.dealer !== call.trustee) throw new EncryptedWeightError('DKG_MESSAGE_INVALID', `Invalid key-generation message: you are trustee ${call.trustee}`);
  const stored = await storeMessage(em, call, 'dkg-round-1', 0, message, { message });
  return { ...stored, trustee: call.trustee };
}

/** Round 2: the trustee's shares, one sealed to each other trustee, once every round 1 is in. */
export async function publishKeyShares(em: SqlEntityManager, viewer: Viewer | null, proposalId: string, messagesText: string): Promise<{ ledgerEntryId: number; trustee: number }> {
  const call = await requireTrustee(em, viewer, proposalId);
  requireDraft(call.proposal);
  const messages = parseMessage<DkgRound2Message[]>(messagesText, 'messages');
  const parameters = electionParameters(call.election);
  const { round1 } = await electionMessages(em, proposalId);
  parseRound1(parameters, round1); // every trustee's round 1 first: DKG_MESSAGE_INVALID otherwise
  const recipients = new Set<number>();
  if (!Array.isArray(messages)) throw new EncryptedWeightError('DKG_MESSAGE_INVALID', 'Invalid key-generation message: round 2 is a list of sealed shares');
  for (const message of messages) {
    if (message?.type !== 'dkg-round-2' || message.electionId !== parameters.electionId || message.dealer !== call.trustee) {
      throw new EncryptedWeightError('DKG_MESSAGE_INVALID', `Invalid key-generation message: a round-2 message of trustee ${call.trustee} for this election`);
    }
    const { nonce, ciphertext } = (message.sealedShare ?? {}) as { nonce?: unknown; ciphertext?: unknown };
    if (!Number.isInteger(message.recipient) || message.recipient < 1 || message.recipient > parameters.trusteeCount || message.recipient === call.trustee ||
      typeof nonce !== 'string' || typeof ciphertext !== 'string' || nonce.length > 64 || ciphertext.length > 256) {
      throw new EncryptedWeightError('DKG_MESSAGE_INVALID', 'Invalid key-generation message: a sealed share for another trustee, with its nonce and ciphertext');
    }
    recipients.add(message.recipient);
  }
  if (recipients.size !== parameters.trusteeCount - 1 || messages.length !== recipients.size) {
    throw new EncryptedWeightError('DKG_MESSAGE_INVALID', `Invalid key-generation message: one share for each of the other ${parameters.trusteeCount - 1} trustees`);
  }
  const sorted = [...messages].sort((a, b) => a.recipient - b.recipient);
  const stored = await storeMessage(em, call, 'dkg-round-2', 0, sorted, { messages: sorted });
  return { ...stored, trustee: call.trustee };
}

/** A complaint against a dealer whose share did not open or match; judged by anyone, here at once. */
export async function fileKeyComplaint(
  em: SqlEntityManager, viewer: Viewer | null, proposalId: string, complaintText: string,
): Promise<{ ledgerEntryId: number; trustee: number; judgement: string }> {
  const call = await requireTrustee(em, viewer, proposalId);
  requireDraft(call.proposal);
  const complaint = parseMessage<DkgComplaint>(complaintText, 'complaint');
  if (complaint.complainant !== call.trustee) throw new EncryptedWeightError('DKG_MESSAGE_INVALID', `Invalid complaint: you are trustee ${call.trustee}`);
  const { round1, round2 } = await electionMessages(em, proposalId);
  const judgement = judgeComplaint(electionParameters(call.election), round1, round2, complaint);
  const stored = await storeMessage(em, call, 'dkg-complaint', complaint.dealer, complaint, { complaint, judgement });
  return { ...stored, trustee: call.trustee, judgement };
}

export interface VerifiedEncryptedBallot {
  proposalId: string;
  ballot: EncryptedBallot;
  proof: unknown;
  publicSignals: string[];
}

function rejected(error: unknown): unknown {
  return error instanceof ProofRejectedError ? new MembershipProofRejectedError(error.code, error.message) : error;
}

/**
 * Every check of an encrypted ballot that needs no lock: the proposal takes encrypted
 * ballots and is open, the choice is an option, then the strict verifier of the
 * encrypted-ballot circuit with the pinned key at the snapshot's depth: pinned root,
 * scope, choice, the proposal's election key, and the pairing — so a ciphertext that
 * encrypts any weight but the leaf's is INVALID_PROOF.
 */
export async function verifyEncryptedBallotInput(
  em: SqlEntityManager, input: { proposalId: string; choice: string; proof: string }, now = new Date(),
): Promise<VerifiedEncryptedBallot> {
  const proposal = await findProposal(em, input.proposalId);
  if (!proposal) throw new NotFoundError('Proposal');
  requireOpenEncrypted(proposal, now);
  const form = proposalForm(proposal);
  if (!ballotOptions(form).includes(input.choice)) throw new GovernanceError('UNKNOWN_CHOICE', 'Failed to cast ballot: the choice is not an option of this proposal');
  const election = (await findElection(em, proposal.id))!;
  const snapshot = proposal.snapshot!;
  try {
    const parsed = parseProofJson(input.proof);
    const ballot = await verifyEncryptedBallot(election.ballotKey!, { choice: input.choice, proof: parsed.proof, publicSignals: parsed.publicSignals }, {
      form, scope: proposal.scope, root: { root: snapshot.root, depth: snapshot.depth }, electionKey: election.keyRecord!,
    });
    return { proposalId: proposal.id, ballot, proof: parsed.proof, publicSignals: (parsed.publicSignals as unknown[]).map(String) };
  } catch (error) {
    throw rejected(error);
  }
}

function requireOpenEncrypted(proposal: Proposal, now: Date): void {
  if (proposal.mode !== 'encrypted') throw new GovernanceError('BALLOT_MODE_MISMATCH', `Failed to cast ballot: this proposal takes ${proposal.mode} ballots`);
  if (proposal.status === 'draft') throw new GovernanceError('PROPOSAL_NOT_OPEN', 'Failed to cast ballot: the proposal is not open yet');
  if (proposal.status !== 'open' || now >= proposal.closesAt) throw new GovernanceError('PROPOSAL_CLOSED', 'Failed to cast ballot: the proposal is closed');
}

/**
 * Records a verified encrypted ballot: the proposal row for share (still open), the
 * nullifier into the census's store (unique under concurrency), the voter's current
 * ballot for update, every option's sum for update (in order, so two ballots never wait
 * on each other crosswise), the entry, the rows. A re-vote takes its earlier ciphertext
 * and head out of the earlier option's sum.
 */
export async function recordEncryptedBallot(em: SqlEntityManager, verified: VerifiedEncryptedBallot, now = new Date()): Promise<BallotReceipt> {
  const proposal = (await findProposal(em, verified.proposalId, 'for share'))!;
  requireOpenEncrypted(proposal, now);
  const { ballot } = verified;
  const fresh = await useNullifier(em, { communityId: proposal.communityId, scope: proposal.scope, nullifier: ballot.nullifier }, now);
  const currentRows: Array<{ ballot_id: string; choice: string; ciphertext: unknown }> = fresh ? [] : await em.execute(
    'select ballot_id, choice, ciphertext from governance_encrypted_current where proposal_id = ? and nullifier = ? for update', [proposal.id, ballot.nullifier.toString()]);
  const current = currentRows[0];
  const sums = await readSums(em, proposal.id, 'for update');
  const ballotId = randomUUID();
  const ciphertext = ciphertextToJson(ballot.ciphertext);
  const appended = await appendEntry(em, {
    communityId: proposal.communityId,
    type: 'governance.encrypted-ballot',
    actor: 'anonymous',
    payload: {
      proposal: proposal.id, ballot: ballotId, choice: ballot.choice, nullifier: ballot.nullifier.toString(),
      ciphertext: ciphertext as never, castAt: now.toISOString(), ...(current ? { replaces: current.ballot_id } : {}),
    },
  });
  await em.execute(
    `insert into governance_encrypted_ballots (id, community_id, proposal_id, nullifier, choice, ciphertext, proof, replaces, cast_at, ledger_entry_id, ledger_time)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [ballotId, proposal.communityId, proposal.id, ballot.nullifier.toString(), ballot.choice, JSON.stringify(ciphertext),
      JSON.stringify({ proof: verified.proof, publicSignals: verified.publicSignals }), current?.ballot_id ?? null, now, appended.entryId, appended.time],
  );
  await em.execute(
    `insert into governance_encrypted_current (community_id, proposal_id, nullifier, ballot_id, choice, ciphertext) values (?, ?, ?, ?, ?, ?)
     on conflict (community_id, proposal_id, nullifier) do update set ballot_id = excluded.ballot_id, choice = excluded.choice, ciphertext = excluded.ciphertext`,
    [proposal.communityId, proposal.id, ballot.nullifier.toString(), ballotId, ballot.choice, JSON.stringify(ciphertext)],
  );
  const replaced = current ? { choice: current.choice, ciphertext: trustedCiphertextFromJson(json(current.ciphertext)) } : null;
  for (const [position, sum] of sums.entries()) {
    const leaves = replaced?.choice === sum.option;
    const joins = ballot.choice === sum.option;
    if (leaves === joins) continue; // untouched, or a re-vote for the same option: take out and add back below
    let total = trustedCiphertextFromJson(sum.ciphertext);
    total = leaves ? subtractCiphertexts(total, replaced.ciphertext) : addCiphertexts(total, ballot.ciphertext);
    await em.execute('update governance_encrypted_sums set heads = ?, ciphertext = ? where proposal_id = ? and position = ?',
      [(sum.heads + (leaves ? -1n : 1n)).toString(), JSON.stringify(ciphertextToJson(total)), proposal.id, position]);
  }
  if (replaced?.choice === ballot.choice) {
    const position = sums.findIndex((sum) => sum.option === ballot.choice);
    const total = addCiphertexts(subtractCiphertexts(trustedCiphertextFromJson(sums[position]!.ciphertext), replaced.ciphertext), ballot.ciphertext);
    await em.execute('update governance_encrypted_sums set ciphertext = ? where proposal_id = ? and position = ?',
      [JSON.stringify(ciphertextToJson(total)), proposal.id, position]);
  }
  return {
    ballotId, proposalId: proposal.id, communityId: proposal.communityId, channel: 'anonymous', choice: ballot.choice,
    nullifier: ballot.nullifier, ledgerEntryId: appended.entryId, ledgerTime: appended.time, castAt: now, replaced: current !== undefined,
  };
}

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** The sums as ciphertexts, in the form's order, from the rows recorded at the close. */
async function closingSums(em: SqlEntityManager, proposalId: string): Promise<{ options: string[]; heads: bigint[]; ciphertexts: Ciphertext[] }> {
  const sums = await readSums(em, proposalId);
  return {
    options: sums.map((sum) => sum.option),
    heads: sums.map((sum) => sum.heads),
    ciphertexts: sums.map((sum, index) => ciphertextFromJson(`sums[${index}]`, sum.ciphertext)),
  };
}

export type PartialDecryptionOutcome = { ledgerEntryId: number; trustee: number; partials: number; decided: boolean };

/**
 * A trustee's partial decryption of the closing sums, with a Chaum–Pedersen proof per sum
 * (verified here against the trustee's public share: DECRYPTION_PROOF_INVALID, nothing
 * written). With the k-th, the tally is decided in the same transaction.
 */
export async function publishPartialDecryption(
  em: SqlEntityManager, viewer: Viewer | null, proposalId: string, messageText: string,
): Promise<PartialDecryptionOutcome> {
  const call = await requireTrustee(em, viewer, proposalId);
  if (call.proposal.status !== 'tallying') throw new GovernanceError('PROPOSAL_STATE', 'Failed to publish: the sums are decrypted after the close, before the result');
  const message = parseMessage<PartialDecryptionMessage>(messageText, 'message');
  if (message.trustee !== call.trustee) throw new EncryptedWeightError('PARTIAL_DECRYPTION_INVALID', `Invalid partial decryption: you are trustee ${call.trustee}`);
  const { ciphertexts } = await closingSums(em, proposalId);
  verifyPartialDecryption(call.election.keyRecord!, ciphertexts, message);
  const stored = await storeMessage(em, call, 'partial-decryption', 0, message, { message });
  const { partials } = await electionMessages(em, proposalId);
  const decided = partials.length >= call.election.threshold;
  if (decided) await decide(em, call.proposal, call.election, partials, call.caller.accountId);
  return { ...stored, trustee: call.trustee, partials: partials.length, decided };
}

/**
 * The committee, a manager or the regulator (or the system): decide the tally from the partial
 * decryptions published so far. Fewer than k is NOT_ENOUGH_PARTIALS and the proposal stays
 * in `tallying`, with no result.
 */
export async function tallyEncryptedProposal(em: SqlEntityManager, viewer: Viewer | null, proposalId: string): Promise<Proposal> {
  const proposal = viewer === null ? await findProposal(em, proposalId, 'for update') : await requireReadableProposal(em, viewer, proposalId, 'for update');
  if (!proposal) throw new NotFoundError('Proposal');
  const caller = viewer === null ? null : requireViewer(viewer);
  if (caller && !hasCommunityRole(caller, proposal.communityId, ['committee', 'manager']) && !isRegulatorOf(caller, proposal.communityId)) {
    throw new ForbiddenError('Requires the committee or manager role in this community, or its regulator');
  }
  if (proposal.mode !== 'encrypted') throw new GovernanceError('BALLOT_MODE_MISMATCH', 'Failed to tally: the proposal has no encrypted weights');
  if (proposal.status !== 'tallying') throw new GovernanceError('PROPOSAL_STATE', 'Failed to tally: the proposal is not waiting for its decryption');
  const election = (await findElection(em, proposal.id, 'for update'))!;
  const { partials } = await electionMessages(em, proposal.id);
  await decide(em, proposal, election, partials, caller?.accountId ?? 'system');
  return (await findProposal(em, proposal.id))!;
}

async function decide(em: SqlEntityManager, proposal: Proposal, election: Election, partials: PartialDecryptionMessage[], actor: string): Promise<void> {
  const snapshot = proposal.snapshot!;
  const form = proposalForm(proposal);
  const { heads, ciphertexts } = await closingSums(em, proposal.id);
  const box = EncryptedBallotBox.fromSums(form, ciphertexts, heads);
  const census = { heads: snapshot.heads, weight: snapshot.weight };
  // NOT_ENOUGH_PARTIALS below k; every proof checked again (DECRYPTION_PROOF_INVALID).
  const tally = decideEncryptedTally(proposalRule(proposal), form, census, box, election.keyRecord!, partials, DiscreteLogTable.build(snapshot.weight));
  const cast: Array<{ count: unknown }> = await em.execute('select count(*) as count from governance_encrypted_ballots where proposal_id = ?', [proposal.id]);
  const closingCheckpoint = election.closingCheckpoint!;
  const result: ResultJson = {
    ...resultPayload(proposal, tally.verdict, Number(cast[0]!.count), closingCheckpoint),
    encrypted: {
      sums: ciphertexts.map((ciphertext, index) => ({ option: box.options[index]!, ...ciphertextToJson(ciphertext) })),
      partialDecryptions: [...partials],
    },
  };
  const final = proposal.objectionDays === 0;
  const appended = await appendEntry(em, {
    communityId: proposal.communityId,
    type: 'governance.result',
    actor,
    payload: { ...result, final } as never,
  });
  await em.execute(
    `update governance_proposals set status = ?, closed_at = ?, result = ?, result_entry_id = ?, final_at = ?, final_entry_id = ? where id = ?`,
    [final ? 'final' : 'closed', appended.time, JSON.stringify(result), appended.entryId, final ? appended.time : null, final ? appended.entryId : null, proposal.id],
  );
}
