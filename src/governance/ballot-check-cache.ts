/**
 * What an anonymous ballot's cheap checks read — the open proposal (its pinned snapshot,
 * scope and options) and the community's active membership key of the snapshot's depth —
 * read once per proposal and kept for a second, instead of two queries per ballot.
 *
 * Staleness cannot let a ballot through: it only changes which ballots reach the pairing.
 * The transaction that records a ballot reads the proposal again under its lock (status
 * and close) and the active key's hash in the same statement, and refuses the ballot if
 * the proposal is no longer open or the key it was checked against is no longer active
 * (ballots.ts). What an open proposal pins (snapshot, scope, options, mode, closing time)
 * never changes, and it closes only at or after its closing time, which the cheap checks
 * compare with the clock, not with the cache: so only the key can age here, by at most
 * `BALLOT_CHECK_TTL_MS`. Only open proposals are kept, so an opening is seen at once.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { findActiveVerificationKey } from '../census/verification-keys.ts';
import type { Groth16VerificationKeyJson } from 'snarkjs';
import { findProposal, type Proposal } from './proposals.ts';

/** How long an entry is used: a key replaced reaches the cheap checks within this. */
export const BALLOT_CHECK_TTL_MS = 1_000;
/** Proposals kept at most (a community votes on a handful at a time). */
const MAX_ENTRIES = 256;

/** The active membership key an anonymous ballot's proof is checked against. */
export interface BallotKey {
  keyHash: string;
  verificationKey: Groth16VerificationKeyJson;
}

export interface BallotCheckInputs {
  proposal: Proposal;
  /** Null when the community has no active membership key of the snapshot's depth. */
  key: BallotKey | null;
}

export class BallotCheckCache {
  private readonly entries = new Map<string, { inputs: BallotCheckInputs; readAtMs: number }>();
  private readonly ttlMs: number;

  constructor(ttlMs = BALLOT_CHECK_TTL_MS) {
    this.ttlMs = ttlMs;
  }

  /** The proposal and its key, from the cache while fresh; undefined when there is no such proposal. */
  async read(em: SqlEntityManager, proposalId: string, nowMs = Date.now()): Promise<BallotCheckInputs | undefined> {
    const cached = this.entries.get(proposalId);
    if (cached && nowMs - cached.readAtMs < this.ttlMs) return cached.inputs;
    const proposal = await findProposal(em, proposalId);
    if (!proposal) return undefined;
    const row = proposal.snapshot ? await findActiveVerificationKey(em, proposal.communityId, proposal.snapshot.depth) : null;
    const inputs: BallotCheckInputs = {
      proposal,
      key: row ? { keyHash: row.keyHash, verificationKey: row.verificationKey as unknown as Groth16VerificationKeyJson } : null,
    };
    this.entries.delete(proposalId);
    if (proposal.status === 'open') {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(proposalId, { inputs, readAtMs: nowMs });
    }
    return inputs;
  }
}
