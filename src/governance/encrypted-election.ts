/**
 * The election of an encrypted-weight proposal (issue 15), the part the proposal's own
 * life cycle calls: its trustees (chosen at creation), the election key pinned at the
 * opening from the trustees' published key-generation messages, and the per-option sums
 * recorded at the close. The trustees' own mutations and the encrypted ballots are in
 * encrypted-proposals.ts.
 *
 * Every message a trustee publishes is public (commitments, sealed shares, complaints,
 * partial decryptions); a trustee's key share is computed on its own device and never
 * reaches the server (docs/governance.md, "Encrypted weights").
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { appendEntry } from '../ledger/append-entry.ts';
import { findActiveEncryptedBallotKey, membershipKeyOf } from '../census/verification-keys.ts';
import { encryptedBallotInstanceForDepth } from '../zk/encrypted-ballot.ts';
import type { MembershipVerificationKey } from '../zk/membership-key.ts';
import type { CiphertextJson } from './encrypted-weights/elgamal.ts';
import { ciphertextToJson, ZERO_CIPHERTEXT } from './encrypted-weights/elgamal.ts';
import {
  electionKeyRecord, MAX_TRUSTEES, MIN_THRESHOLD, qualifiedDealers,
  type DkgComplaint, type DkgRound1Message, type DkgRound2Message, type ElectionKeyParameters, type ElectionKeyRecord,
} from './encrypted-weights/election-key.ts';
import type { PartialDecryptionMessage } from './encrypted-weights/partial-decryption.ts';
import { GovernanceError } from './governance-errors.ts';
import type { Proposal } from './proposals.ts';

export interface TrusteeSetup {
  /** k: how many trustees must decrypt. */
  threshold: number;
  /** Trustee i is accountIds[i − 1]. */
  accountIds: string[];
}

export type ElectionMessageKind = 'dkg-round-1' | 'dkg-round-2' | 'dkg-complaint' | 'partial-decryption';

export interface Election {
  proposalId: string;
  threshold: number;
  trusteeCount: number;
  trustees: Array<{ trustee: number; accountId: string }>;
  keyRecord: ElectionKeyRecord | null;
  ballotKey: MembershipVerificationKey | null;
  ballotKeyHash: string | null;
  ballotKeyInsecure: boolean | null;
  /** The checkpoint cut at the close over every ballot entry (the result cites it). */
  closingCheckpoint: { treeSize: number; rootHash: string } | null;
}

export interface ElectionMessages {
  round1: DkgRound1Message[];
  /** Each dealer's sealed shares, flattened. */
  round2: DkgRound2Message[];
  complaints: DkgComplaint[];
  partials: PartialDecryptionMessage[];
}

export function electionParameters(election: Pick<Election, 'proposalId' | 'threshold' | 'trusteeCount'>): ElectionKeyParameters {
  // The election id is the proposal's id: every proof's context names it, so no message serves two proposals.
  return { electionId: election.proposalId, threshold: election.threshold, trusteeCount: election.trusteeCount };
}

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/**
 * Trustees are 2–16 distinct accounts, each holding the committee or manager role in the
 * community or a regulator role over its jurisdiction; 2 ≤ k ≤ n.
 */
export async function requireTrustees(em: SqlEntityManager, communityId: string, setup: TrusteeSetup | null | undefined): Promise<TrusteeSetup> {
  if (!setup) throw new GovernanceError('INVALID_TRUSTEES', 'Failed to create proposal: encrypted weights need trustees and a threshold');
  const { threshold, accountIds } = setup;
  const count = accountIds.length;
  if (count < MIN_THRESHOLD || count > MAX_TRUSTEES || new Set(accountIds).size !== count) {
    throw new GovernanceError('INVALID_TRUSTEES', `Failed to create proposal: ${MIN_THRESHOLD} to ${MAX_TRUSTEES} distinct trustees`);
  }
  if (!Number.isInteger(threshold) || threshold < MIN_THRESHOLD || threshold > count) {
    throw new GovernanceError('INVALID_TRUSTEES', `Failed to create proposal: the threshold must be ${MIN_THRESHOLD} to the number of trustees`);
  }
  const rows: Array<{ account_id: string }> = await em.execute(
    `select distinct g.account_id from role_grants g join accounts a on a.id = g.account_id
      where a.disabled_at is null and g.account_id in (${accountIds.map(() => '?').join(', ')})
        and ((g.role in ('committee', 'manager') and g.community_id = ?)
          or (g.role = 'regulator' and g.jurisdiction_id = (select jurisdiction_id from communities where id = ?)))`,
    [...accountIds, communityId, communityId],
  );
  if (rows.length !== count) {
    throw new GovernanceError('INVALID_TRUSTEES', 'Failed to create proposal: every trustee must be a committee member or manager of the community, or its regulator');
  }
  return { threshold, accountIds: [...accountIds] };
}

export async function recordTrustees(em: SqlEntityManager, communityId: string, proposalId: string, setup: TrusteeSetup): Promise<void> {
  await em.execute('insert into governance_elections (community_id, proposal_id, threshold, trustee_count) values (?, ?, ?, ?)', [communityId, proposalId, setup.threshold, setup.accountIds.length]);
  for (const [index, accountId] of setup.accountIds.entries()) {
    await em.execute('insert into governance_trustees (community_id, proposal_id, trustee, account_id) values (?, ?, ?, ?)', [communityId, proposalId, index + 1, accountId]);
  }
}

export async function findElection(em: SqlEntityManager, proposalId: string, lock: '' | 'for update' = ''): Promise<Election | undefined> {
  const rows: Array<Record<string, unknown>> = await em.execute(
    `select proposal_id, threshold, trustee_count, key_record, ballot_key, ballot_key_hash, ballot_key_insecure, closing_checkpoint
       from governance_elections where proposal_id = ? ${lock}`, [proposalId]);
  const row = rows[0];
  if (!row) return undefined;
  const trustees: Array<{ trustee: unknown; account_id: string }> = await em.execute(
    'select trustee, account_id from governance_trustees where proposal_id = ? order by trustee', [proposalId]);
  return {
    proposalId,
    threshold: Number(row['threshold']),
    trusteeCount: Number(row['trustee_count']),
    trustees: trustees.map((trustee) => ({ trustee: Number(trustee.trustee), accountId: trustee.account_id })),
    keyRecord: row['key_record'] === null ? null : json<ElectionKeyRecord>(row['key_record']),
    ballotKey: row['ballot_key'] === null ? null : json<MembershipVerificationKey>(row['ballot_key']),
    ballotKeyHash: row['ballot_key_hash'] === null ? null : String(row['ballot_key_hash']),
    ballotKeyInsecure: row['ballot_key_insecure'] === null ? null : Boolean(row['ballot_key_insecure']),
    closingCheckpoint: row['closing_checkpoint'] === null ? null : json<{ treeSize: number; rootHash: string }>(row['closing_checkpoint']),
  };
}

/** Every public message the trustees published, in the order they were accepted. */
export async function electionMessages(em: SqlEntityManager, proposalId: string): Promise<ElectionMessages> {
  const rows: Array<{ kind: ElectionMessageKind; message: unknown }> = await em.execute(
    'select kind, message from governance_election_messages where proposal_id = ? order by ledger_entry_id', [proposalId]);
  const messages: ElectionMessages = { round1: [], round2: [], complaints: [], partials: [] };
  for (const row of rows) {
    const message = json<unknown>(row.message);
    if (row.kind === 'dkg-round-1') messages.round1.push(message as DkgRound1Message);
    else if (row.kind === 'dkg-round-2') messages.round2.push(...(message as DkgRound2Message[]));
    else if (row.kind === 'dkg-complaint') messages.complaints.push(message as DkgComplaint);
    else messages.partials.push(message as PartialDecryptionMessage);
  }
  return messages;
}

/**
 * At the opening: the election key from the published rounds (the qualified dealers, the
 * public key, every trustee's public share) as a `governance.election-key` entry, and the
 * community's active encrypted-ballot verification key of the snapshot's depth (activated
 * on its ledger with `activateVerificationKey`, like membership keys) pinned for the
 * proposal. Until every trustee has published both rounds: ELECTION_KEY_NOT_READY; with no
 * active encrypted-ballot key of that depth: NO_KEY_FOR_DEPTH.
 */
export async function pinElection(em: SqlEntityManager, proposal: Proposal, actor: string, depth: number): Promise<{ instance: string; hash: string; insecure: boolean }> {
  const election = (await findElection(em, proposal.id, 'for update'))!;
  const messages = await electionMessages(em, proposal.id);
  const dealersDone = new Set(messages.round2.map((message) => message.dealer));
  if (messages.round1.length !== election.trusteeCount || dealersDone.size !== election.trusteeCount) {
    throw new GovernanceError('ELECTION_KEY_NOT_READY',
      `Failed to open proposal: ${messages.round1.length} of ${election.trusteeCount} trustees published their commitments, ${dealersDone.size} their shares`);
  }
  const parameters = electionParameters(election);
  // Fewer qualified dealers than k (complaints upheld) is NOT_ENOUGH_QUALIFIED_DEALERS: the trustees start again.
  const record = electionKeyRecord(parameters, messages.round1, qualifiedDealers(parameters, messages.round1, messages.round2, messages.complaints));
  // Ledger ordering rule (docs/ledger.md): a share lock on the community row, which
  // activateVerificationKey locks for no key update before its entry, so an activation is
  // sequenced wholly before or after this opening and a replay pins the same key.
  await em.execute('select id from communities where id = ? for share', [proposal.communityId]);
  const active = await findActiveEncryptedBallotKey(em, proposal.communityId, depth);
  if (!active) {
    throw new GovernanceError('NO_KEY_FOR_DEPTH',
      `Failed to open proposal: the community has no active encrypted-ballot verification key of depth ${depth} (activate ${encryptedBallotInstanceForDepth(depth)})`);
  }
  const ballotKey = membershipKeyOf(active);
  await appendEntry(em, {
    communityId: proposal.communityId,
    type: 'governance.election-key',
    actor,
    payload: { proposal: proposal.id, record: record as unknown as Record<string, never> },
  });
  await em.execute(
    'update governance_elections set key_record = ?, ballot_key = ?, ballot_key_hash = ?, ballot_key_insecure = ? where proposal_id = ?',
    [JSON.stringify(record), JSON.stringify(ballotKey), active.keyHash, active.insecure, proposal.id],
  );
  return { instance: active.instance, hash: active.keyHash, insecure: active.insecure };
}

/** The running sums start at the encryption of 0 (the identity pair), zero heads, one row per option. */
export async function startSums(em: SqlEntityManager, communityId: string, proposalId: string, options: readonly string[]): Promise<void> {
  const zero = JSON.stringify(ciphertextToJson(ZERO_CIPHERTEXT));
  for (const [position, option] of options.entries()) {
    await em.execute('insert into governance_encrypted_sums (community_id, proposal_id, position, option, heads, ciphertext) values (?, ?, ?, ?, 0, ?)', [communityId, proposalId, position, option, zero]);
  }
}

export interface EncryptedSum {
  option: string;
  heads: bigint;
  ciphertext: CiphertextJson;
}

/** The per-option sums in the form's order, optionally locked (every ballot locks them all, in order). */
export async function readSums(em: SqlEntityManager, proposalId: string, lock: '' | 'for update' = ''): Promise<EncryptedSum[]> {
  const rows: Array<{ option: string; heads: unknown; ciphertext: unknown }> = await em.execute(
    `select option, heads, ciphertext from governance_encrypted_sums where proposal_id = ? order by position ${lock}`, [proposalId]);
  return rows.map((row) => ({ option: row.option, heads: BigInt(String(row.heads)), ciphertext: json<CiphertextJson>(row.ciphertext) }));
}

/**
 * At the close of an encrypted proposal: the sums the trustees are to decrypt, with the
 * head counts, the number of ballots cast and the checkpoint covering every ballot, as a
 * `governance.encrypted-sums` entry. The proposal then waits in `tallying`.
 */
export async function recordClosingSums(
  em: SqlEntityManager, proposal: Proposal, actor: string, checkpoint: { treeSize: number; rootHash: string },
): Promise<{ entryId: number; time: Date }> {
  const sums = await readSums(em, proposal.id, 'for update');
  const cast: Array<{ count: unknown }> = await em.execute('select count(*) as count from governance_encrypted_ballots where proposal_id = ?', [proposal.id]);
  const appended = await appendEntry(em, {
    communityId: proposal.communityId,
    type: 'governance.encrypted-sums',
    actor,
    payload: {
      proposal: proposal.id,
      sums: sums.map((sum) => ({ option: sum.option, heads: sum.heads.toString(), ciphertext: sum.ciphertext })) as unknown as Record<string, never>[],
      ballots: Number(cast[0]!.count),
      checkpoint,
    },
  });
  await em.execute('update governance_elections set sums_entry_id = ?, closing_checkpoint = ? where proposal_id = ?',
    [appended.entryId, JSON.stringify(checkpoint), proposal.id]);
  return appended;
}
