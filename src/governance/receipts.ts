/**
 * Vote receipts (Helios-style trackers): a ballot's receipt is its nullifier (anonymous)
 * or its id, and its ledger entry. Anyone can ask whether that ballot's entry is in the
 * checkpoint the proposal's result cites, and get the RFC 9162 inclusion proof and leaf
 * hash to check it against the signed checkpoint themselves — without learning whose
 * ballot it is (the entry holds a nullifier, never a person).
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { InvalidInputError, NotFoundError } from '../domain-error.ts';
import { inclusionProof } from '../ledger/proofs.ts';
import { sequenceOfEntry } from '../ledger/integrator.ts';
import { toBytes } from '../ledger/sql-values.ts';
import { toHex } from '../ledger/merkle-hash.ts';
import { findProposal } from './proposals.ts';

export interface ReceiptCheck {
  included: boolean;
  counted: boolean;
  seq: number | null;
  leafHash: string | null;
  treeSize: number | null;
  rootHash: string | null;
  inclusionProof: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;
const DECIMAL = /^(0|[1-9][0-9]{0,77})$/u;

export async function checkBallotReceipt(
  em: SqlEntityManager,
  input: { proposalId: string; nullifier: string | null; ballotId: string | null },
): Promise<ReceiptCheck> {
  const proposal = await findProposal(em, input.proposalId);
  if (!proposal) throw new NotFoundError('Proposal');
  // Encrypted-weight ballots are kept apart (encrypted-proposals.ts), with the same receipt.
  const [ballots, counting] = proposal.mode === 'encrypted'
    ? ['governance_encrypted_ballots', 'governance_encrypted_current'] : ['governance_ballots', 'governance_current_ballots'];
  let rows: Array<{ id: string; ledger_entry_id: unknown; ledger_time: unknown }>;
  if (input.ballotId !== null) {
    if (!UUID.test(input.ballotId)) throw new InvalidInputError('ballotId', 'is not a valid id');
    rows = await em.execute(`select id, ledger_entry_id, ledger_time from ${ballots} where proposal_id = ? and id = ?`, [proposal.id, input.ballotId]);
  } else if (input.nullifier !== null) {
    if (!DECIMAL.test(input.nullifier)) throw new InvalidInputError('nullifier', 'is not a decimal field element');
    rows = await em.execute(
      `select id, ledger_entry_id, ledger_time from ${ballots} where proposal_id = ? and nullifier = ? order by ledger_entry_id desc limit 1`,
      [proposal.id, input.nullifier],
    );
  } else {
    throw new InvalidInputError('nullifier', 'or ballotId is required');
  }
  const ballot = rows[0];
  const none: ReceiptCheck = { included: false, counted: false, seq: null, leafHash: null, treeSize: proposal.checkpointSize, rootHash: proposal.result?.checkpoint.rootHash ?? null, inclusionProof: [] };
  if (!ballot) return none;
  const time = ballot.ledger_time instanceof Date ? ballot.ledger_time : new Date(String(ballot.ledger_time));
  const seq = await sequenceOfEntry(em, proposal.communityId, Number(ballot.ledger_entry_id), time);
  const current: unknown[] = await em.execute(`select 1 from ${counting} where proposal_id = ? and ballot_id = ?`, [proposal.id, ballot.id]);
  const leaf: Array<{ leaf_hash: unknown }> = await em.execute('select leaf_hash from ledger_entries where community_id = ? and seq = ?', [proposal.communityId, seq]);
  const leafHash = toHex(toBytes(leaf[0]!.leaf_hash));
  const treeSize = proposal.checkpointSize;
  if (treeSize === null || seq >= treeSize) return { ...none, counted: current.length > 0, seq, leafHash };
  const hashes = await inclusionProof(em, proposal.communityId, seq, treeSize);
  return { included: true, counted: current.length > 0, seq, leafHash, treeSize, rootHash: proposal.result?.checkpoint.rootHash ?? null, inclusionProof: hashes.map(toHex) };
}
