/**
 * Verifies a membership proof for a community's census: only against the community's
 * active verification key, with the root either pinned (a proposal's snapshot, which
 * must be a root this census has had) or among the last RECENT_ROOT_WINDOW roots, and
 * every strict check of src/zk/verifier.ts (signals below r and counted, proof points
 * valid, scope and message as expected, nullifier unused, cheap checks before the
 * pairing). Rejections become MembershipProofRejectedError with the verifier's code.
 *
 * `checkMembershipProof` is the read-only check for clients and regulators: it takes the
 * proof as the JSON snarkjs writes and returns a typed result — accepted with the public
 * values, or rejected with the code of the first check that failed — instead of throwing.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { ProofRejectedError, type ProofRejectionCode } from '../zk/errors.ts';
import type { MembershipPublicSignals } from '../zk/membership-signals.ts';
import { parseProofJson } from '../zk/proof-format.ts';
import { verifyMembershipProof, type VerifiedMembership } from '../zk/verifier.ts';
import { CensusError, MembershipProofRejectedError } from './census-errors.ts';
import type { CensusKind } from './census.entity.ts';
import { findActiveVerificationKey, verificationKeyOf } from './verification-keys.ts';

/** How many of a census's latest roots a proof without a pinned root may use. */
export const RECENT_ROOT_WINDOW = 32;

export interface CommunityMembershipProofRequest {
  communityId: string;
  kind: CensusKind;
  proof: unknown;
  publicSignals: unknown;
  expectedScope: bigint;
  /** When set, the message the proof must be bound to (a ballot's choice, a challenge). */
  expectedMessage?: bigint | undefined;
  /** A snapshot root to pin instead of the recent window. */
  pinnedRoot?: bigint | undefined;
  isNullifierUsed?: ((nullifier: bigint, scope: bigint) => boolean | Promise<boolean>) | undefined;
}

export interface CommunityVerifiedMembership extends VerifiedMembership {
  verificationKeyHash: string;
}

export async function recentCensusRoots(em: SqlEntityManager, communityId: string, kind: CensusKind, limit = RECENT_ROOT_WINDOW): Promise<bigint[]> {
  const rows: Array<{ root: string }> = await em.execute(
    'select root from census_roots where community_id = ? and kind = ? order by version desc limit ?',
    [communityId, kind, limit],
  );
  return rows.map((row) => BigInt(row.root));
}

async function isKnownRoot(em: SqlEntityManager, communityId: string, kind: CensusKind, root: bigint): Promise<boolean> {
  const rows: unknown[] = await em.execute('select 1 from census_roots where community_id = ? and kind = ? and root = ? limit 1', [
    communityId, kind, root.toString(),
  ]);
  return rows.length > 0;
}

export async function verifyCommunityMembershipProof(
  em: SqlEntityManager,
  request: CommunityMembershipProofRequest,
): Promise<CommunityVerifiedMembership> {
  const key = await findActiveVerificationKey(em, request.communityId);
  if (!key) throw new CensusError('NO_ACTIVE_VERIFICATION_KEY', 'Failed to verify proof: the community has no active verification key');
  let roots: bigint[];
  if (request.pinnedRoot !== undefined) {
    roots = (await isKnownRoot(em, request.communityId, request.kind, request.pinnedRoot)) ? [request.pinnedRoot] : [];
  } else {
    roots = await recentCensusRoots(em, request.communityId, request.kind);
  }
  try {
    const verified = await verifyMembershipProof(verificationKeyOf(key), request.proof, request.publicSignals, {
      roots,
      scope: request.expectedScope,
      ...(request.expectedMessage === undefined ? {} : { message: request.expectedMessage }),
      ...(request.isNullifierUsed ? { isNullifierUsed: request.isNullifierUsed } : {}),
    });
    return { ...verified, verificationKeyHash: key.keyHash };
  } catch (error) {
    if (error instanceof ProofRejectedError) throw new MembershipProofRejectedError(error.code, error.message);
    throw error;
  }
}

export interface MembershipProofCheckRequest {
  communityId: string;
  kind: CensusKind;
  /** `{"proof": …, "publicSignals": […]}` as snarkjs writes them (at most MAX_PROOF_JSON_BYTES). */
  proofJson: string;
  scope: bigint;
  message?: bigint | undefined;
  /** A snapshot root to pin instead of the recent window. */
  root?: bigint | undefined;
}

/** The outcome of a read-only check: accepted with its public values, or the first check it failed. */
export type MembershipProofCheck =
  | { valid: true; signals: MembershipPublicSignals; verificationKeyHash: string }
  | { valid: false; code: ProofRejectionCode | 'NO_ACTIVE_VERIFICATION_KEY'; reason: string };

/**
 * Checks a membership proof without consuming its nullifier. A proof that fails any
 * check is a result, not an error; only unexpected failures (the database) throw.
 */
export async function checkMembershipProof(em: SqlEntityManager, request: MembershipProofCheckRequest): Promise<MembershipProofCheck> {
  try {
    const { proof, publicSignals } = parseProofJson(request.proofJson);
    const { verificationKeyHash, ...signals } = await verifyCommunityMembershipProof(em, {
      communityId: request.communityId,
      kind: request.kind,
      proof,
      publicSignals,
      expectedScope: request.scope,
      expectedMessage: request.message,
      pinnedRoot: request.root,
    });
    return { valid: true, signals, verificationKeyHash };
  } catch (error) {
    if (error instanceof ProofRejectedError || error instanceof MembershipProofRejectedError) {
      return { valid: false, code: error.code as ProofRejectionCode, reason: error.message };
    }
    if (error instanceof CensusError && error.code === 'NO_ACTIVE_VERIFICATION_KEY') return { valid: false, code: error.code, reason: error.message };
    throw error;
  }
}
