/**
 * A trustee's side of an encrypted-weight proposal (issue 15), on the trustee's own device:
 * the key generation (round 1: commitments; round 2: shares sealed to the other trustees;
 * finish: open the shares received, check the sum against the public share the opening
 * recorded) and, after the close, the partial decryption of the sums. The cryptography is
 * src/governance/encrypted-weights (the same code the server verifies with); this module
 * only fetches the public messages over the API, sends the trustee's, and keeps the
 * trustee's private state — the dealing during key generation, then the key share —
 * sealed under a passphrase exactly as the identity backup is (scrypt, XChaCha20-Poly1305:
 * `sealWithPassphrase`). `npm run trustee` (scripts/governance/trustee.ts) drives it.
 *
 * Expected failures are a `CourtyardApiError` with the API's code (NOT_A_TRUSTEE,
 * PROPOSAL_STATE, ELECTION_KEY_NOT_READY, DECRYPTION_PROOF_INVALID, …), an
 * `EncryptedWeightError` (DKG_MESSAGE_INVALID: a share that does not add up to the public
 * share) or an `IdentityBackupError` (WRONG_PASSPHRASE, BACKUP_MALFORMED) for the state.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { PointJson } from '../governance/encrypted-weights/baby-jubjub.ts';
import { ciphertextFromJson } from '../governance/encrypted-weights/elgamal.ts';
import {
  dealShares, finishKeyGeneration, receiveShares, startKeyGeneration,
  type DkgRound1Message, type DkgRound2Message, type ElectionKeyParameters, type ElectionKeyRecord, type TrusteeDealing,
} from '../governance/encrypted-weights/election-key.ts';
import { partiallyDecrypt } from '../governance/encrypted-weights/partial-decryption.ts';
import { openWithPassphrase, sealWithPassphrase } from './identity-backup.ts';
import { localIdOf } from './scope-hash.ts';
import { CourtyardApiError, requireSuccess, type CourtyardClient } from './typed-api/courtyard-client.ts';
import {
  FILE_KEY_COMPLAINT, PUBLISH_KEY_COMMITMENTS, PUBLISH_KEY_SHARES, PUBLISH_PARTIAL_DECRYPTION, TRUSTEE_ELECTION,
} from './typed-api/trustee-operations.ts';

/** The sealed state file's prefix: `courtyard-trustee-v1:scrypt:…`. */
export const TRUSTEE_STATE_PREFIX = 'courtyard-trustee-v1';

/** What a trustee keeps between the steps: private, sealed on disk. */
export interface TrusteeState {
  /** The proposal's global id and the election id (its local id) the messages name. */
  proposalId: string;
  electionId: string;
  trustee: number;
  threshold: number;
  trusteeCount: number;
  /** During key generation: the polynomial and the transport secret (dropped at finish). */
  dealing?: { coefficients: string[]; transportSecret: string };
  /** After finish: the key share s_i and its public share Y_i = s_i · G from the election key. */
  share?: { secretShare: string; publicShare: PointJson };
}

/** The state sealed under the passphrase, one line of text (about a second of scrypt). */
export function sealTrusteeState(state: TrusteeState, passphrase: string): Promise<string> {
  return sealWithPassphrase(TRUSTEE_STATE_PREFIX, utf8ToBytes(JSON.stringify(state)), passphrase);
}

/** Opens a sealed state: WRONG_PASSPHRASE or BACKUP_MALFORMED (IdentityBackupError) otherwise. */
export async function openTrusteeState(text: string, passphrase: string): Promise<TrusteeState> {
  return JSON.parse(new TextDecoder().decode(await openWithPassphrase(TRUSTEE_STATE_PREFIX, text, passphrase, 'trustee state'))) as TrusteeState;
}

interface ElectionView {
  status: string;
  parameters: ElectionKeyParameters;
  trustee: number;
  messages: { round1: DkgRound1Message[]; round2: DkgRound2Message[] };
  electionKey: ElectionKeyRecord | null;
  sums: unknown[] | null;
}

/** The proposal's election as the signed-in trustee sees it, with its own trustee number. */
async function readElection(client: CourtyardClient, proposalId: string): Promise<ElectionView> {
  const answer = await client.request(TRUSTEE_ELECTION, { id: proposalId });
  const proposal = requireSuccess(answer.proposal);
  const election = proposal.election;
  if (!election) throw new CourtyardApiError('BALLOT_MODE_MISMATCH', 'The proposal has no encrypted weights');
  const own = election.trustees.find((trustee) => answer.viewer !== null && trustee.accountId === answer.viewer.id);
  if (!own) throw new CourtyardApiError('NOT_A_TRUSTEE', "You are not one of this proposal's trustees");
  return {
    status: proposal.status,
    parameters: { electionId: localIdOf(proposalId), threshold: election.threshold, trusteeCount: election.trusteeCount },
    trustee: own.trustee,
    messages: JSON.parse(election.keyGenerationMessages) as ElectionView['messages'],
    electionKey: election.electionKey === null ? null : (JSON.parse(election.electionKey) as ElectionKeyRecord),
    sums: election.sums === null ? null : (JSON.parse(election.sums) as unknown[]),
  };
}

function requireState(state: TrusteeState, proposalId: string, part: 'dealing' | 'share'): void {
  if (state.proposalId !== proposalId) throw new CourtyardApiError('TRUSTEE_STATE_MISMATCH', `The state is for proposal ${state.proposalId}`);
  if (!state[part]) {
    throw new CourtyardApiError('TRUSTEE_STATE_MISMATCH', part === 'dealing' ? 'The state holds no dealing: run round1 first' : 'The state holds no key share: run finish first');
  }
}

function dealingOf(state: TrusteeState): TrusteeDealing {
  return {
    parameters: { electionId: state.electionId, threshold: state.threshold, trusteeCount: state.trusteeCount },
    trustee: state.trustee,
    coefficients: state.dealing!.coefficients.map(BigInt),
    transportSecret: BigInt(state.dealing!.transportSecret),
  };
}

/** Round 1: a fresh dealing (kept), its public commitments (sent). */
export async function trusteeRound1(client: CourtyardClient, proposalId: string): Promise<{ state: TrusteeState; ledgerEntryId: bigint }> {
  const election = await readElection(client, proposalId);
  const { dealing, message } = startKeyGeneration(election.parameters, election.trustee);
  const receipt = requireSuccess((await client.request(PUBLISH_KEY_COMMITMENTS, { proposalId, message: JSON.stringify(message) })).publishKeyCommitments);
  const state: TrusteeState = {
    proposalId, electionId: election.parameters.electionId, trustee: election.trustee,
    threshold: election.parameters.threshold, trusteeCount: election.parameters.trusteeCount,
    dealing: { coefficients: dealing.coefficients.map(String), transportSecret: dealing.transportSecret.toString() },
  };
  return { state, ledgerEntryId: BigInt(receipt.ledgerEntryId as string | number | bigint) };
}

/** Round 2, once every trustee's round 1 is in: one share sealed to each other trustee. */
export async function trusteeRound2(client: CourtyardClient, proposalId: string, state: TrusteeState): Promise<{ trustee: number; shares: number }> {
  requireState(state, proposalId, 'dealing');
  const election = await readElection(client, proposalId);
  const messages = dealShares(dealingOf(state), election.messages.round1);
  const receipt = requireSuccess((await client.request(PUBLISH_KEY_SHARES, { proposalId, messages: JSON.stringify(messages) })).publishKeyShares);
  return { trustee: receipt.trustee, shares: messages.length };
}

/**
 * After the opening pinned the election key: opens the shares sent to this trustee, checks
 * each against its dealer's commitments and their sum against the public share Y_i the
 * election key records, and returns the state holding the key share (the dealing dropped).
 * A share that does not open or match is filed as a complaint while the proposal is still
 * a draft, and refused (DKG_SHARE_INVALID) either way.
 */
export async function trusteeFinish(client: CourtyardClient, proposalId: string, state: TrusteeState): Promise<TrusteeState> {
  requireState(state, proposalId, 'dealing');
  const election = await readElection(client, proposalId);
  const dealing = dealingOf(state);
  const { shares, complaints } = receiveShares(dealing, election.messages.round1, election.messages.round2);
  if (complaints.length > 0) {
    if (election.status === 'DRAFT') {
      for (const complaint of complaints) {
        requireSuccess((await client.request(FILE_KEY_COMPLAINT, { proposalId, complaint: JSON.stringify(complaint) })).fileKeyComplaint);
      }
    }
    throw new CourtyardApiError('DKG_SHARE_INVALID', `The shares of dealer(s) ${complaints.map((complaint) => complaint.dealer).join(', ')} do not open or match their commitments`);
  }
  if (!election.electionKey) throw new CourtyardApiError('ELECTION_KEY_NOT_READY', 'The proposal has not opened: no election key is recorded yet');
  // Refuses (DKG_MESSAGE_INVALID) unless s_i · G is the public share the ledger recorded.
  const keyShare = finishKeyGeneration(dealing, shares, election.electionKey);
  const { dealing: _dropped, ...rest } = state;
  return { ...rest, share: { secretShare: keyShare.secretShare.toString(), publicShare: election.electionKey.verificationKeys[state.trustee - 1]! } };
}

/** After the close: this trustee's partial decryption of the sums, with its Chaum–Pedersen proofs. */
export async function trusteeDecrypt(
  client: CourtyardClient, proposalId: string, state: TrusteeState,
): Promise<{ trustee: number; partialDecryptions: number | null; decided: boolean | null }> {
  requireState(state, proposalId, 'share');
  const election = await readElection(client, proposalId);
  if (!election.sums) throw new CourtyardApiError('PROPOSAL_STATE', 'The proposal has not closed: there are no sums to decrypt');
  const sums = election.sums.map((sum, index) => ciphertextFromJson(`sums[${index}]`, sum));
  const message = partiallyDecrypt(
    { electionId: state.electionId, trustee: state.trustee, threshold: state.threshold, secretShare: BigInt(state.share!.secretShare) }, sums);
  const receipt = requireSuccess((await client.request(PUBLISH_PARTIAL_DECRYPTION, { proposalId, message: JSON.stringify(message) })).publishPartialDecryption);
  return { trustee: receipt.trustee, partialDecryptions: receipt.partialDecryptions ?? null, decided: receipt.decided ?? null };
}
