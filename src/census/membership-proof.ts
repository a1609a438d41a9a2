/**
 * Verifies a membership proof for a community's census: with the community's active
 * verification key of the depth of the proof's root, with the root either pinned (a
 * proposal's snapshot, which must be a root this census has had) or among the last
 * RECENT_ROOT_WINDOW roots, and every strict check of src/zk/verifier.ts (signals below r
 * and counted, proof points valid, scope and message as expected, nullifier unused, cheap
 * checks before the pairing). Rejections become MembershipProofRejectedError with the
 * verifier's code.
 *
 * Depth (issue 9): every root in the history records the depth of the tree it is the root
 * of (census-tree-service.ts), and the census grows from one declared depth to the next,
 * so its roots are of several depths. The key is picked by the depth recorded for the
 * proof's root (`NO_KEY_FOR_DEPTH` when the community activated none for it), so a root
 * from before a growth stays checkable at its own depth. A pinned snapshot names its depth;
 * a snapshot whose depth is not the one recorded for its root, or a proof made at another
 * depth than the snapshot's (its root is the snapshot's tree lifted to, or cut from,
 * another declared depth), is refused with `DEPTH_MISMATCH`.
 *
 * `checkMembershipProof` is the read-only check for clients and regulators: it takes the
 * proof as the JSON snarkjs writes and returns a typed result — accepted with the public
 * values, or rejected with the code of the first check that failed — instead of throwing.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { ProofRejectedError, type ProofRejectionCode } from '../zk/errors.ts';
import { MEMBERSHIP_DEPTHS } from '../zk/membership-depths.ts';
import type { KnownRoot } from '../zk/membership-key.ts';
import { MEMBERSHIP_PUBLIC_SIGNAL_COUNT, type MembershipPublicSignals } from '../zk/membership-signals.ts';
import { zeroHashes } from '../zk/merkle-tree.ts';
import { getPoseidon } from '../zk/poseidon.ts';
import { parseProofJson, parsePublicSignals } from '../zk/proof-format.ts';
import { verifyMembershipProofWithKeys, type VerifiedMembership } from '../zk/verifier.ts';
import { CensusError, MembershipProofRejectedError } from './census-errors.ts';
import type { CensusTreeName } from './census.entity.ts';
import { activeKeyRing } from './verification-keys.ts';

/** How many of a census's latest roots a proof without a pinned root may use. */
export const RECENT_ROOT_WINDOW = 32;

export interface CommunityMembershipProofRequest {
  communityId: string;
  kind: CensusTreeName;
  proof: unknown;
  publicSignals: unknown;
  expectedScope: bigint;
  /** When set, the message the proof must be bound to (a ballot's choice, a challenge). */
  expectedMessage?: bigint | undefined;
  /**
   * A snapshot to pin instead of the recent window: its root and the depth it was pinned at
   * (a proposal's `censusSnapshot`), which must be the depth recorded for that root. A bare
   * root is checked at the depth recorded for it.
   */
  pinnedRoot?: bigint | KnownRoot | undefined;
  isNullifierUsed?: ((nullifier: bigint, scope: bigint) => boolean | Promise<boolean>) | undefined;
}

export interface CommunityVerifiedMembership extends VerifiedMembership {
  verificationKeyHash: string;
  /** The depth of the proof's root, and so of the key that verified it. */
  depth: number;
  /** The circuit instance of that key, e.g. `membership-10`. */
  instance: string;
}

/** The latest roots of a census, newest first (bare values; see `recentKnownRoots` for their depths). */
export async function recentCensusRoots(em: SqlEntityManager, communityId: string, kind: CensusTreeName, limit = RECENT_ROOT_WINDOW): Promise<bigint[]> {
  return (await recentKnownRoots(em, communityId, kind, limit)).map((known) => known.root);
}

/** The latest roots of a census with the depth each was recorded at, newest first. */
export async function recentKnownRoots(em: SqlEntityManager, communityId: string, kind: CensusTreeName, limit = RECENT_ROOT_WINDOW): Promise<KnownRoot[]> {
  const rows: Array<{ root: string; depth: unknown }> = await em.execute(
    'select root, depth from census_roots where community_id = ? and kind = ? order by version desc limit ?',
    [communityId, kind, limit],
  );
  return rows.map((row) => ({ root: BigInt(row.root), depth: Number(row.depth) }));
}

/** The depth recorded for a root this census has had, or undefined when it never had it. */
export async function censusRootDepth(em: SqlEntityManager, communityId: string, kind: CensusTreeName, root: bigint): Promise<number | undefined> {
  const rows: Array<{ depth: unknown }> = await em.execute(
    'select depth from census_roots where community_id = ? and kind = ? and root = ? order by version limit 1',
    [communityId, kind, root.toString()],
  );
  return rows.length > 0 ? Number(rows[0]!.depth) : undefined;
}

/** The root of the tree of depth `to` whose leftmost subtree of depth `from` has root `root`. */
async function liftRoot(root: bigint, from: number, to: number): Promise<bigint> {
  const zeros = await zeroHashes(to);
  const poseidon = await getPoseidon();
  let value = root;
  for (let level = from; level < to; level++) value = poseidon.hash2(value, zeros[level]!);
  return value;
}

/** True when `root` is the pinned snapshot's tree at another declared depth (lifted, or the subtree it was lifted from). */
async function isSnapshotAtAnotherDepth(root: bigint, pinned: KnownRoot): Promise<boolean> {
  for (const depth of MEMBERSHIP_DEPTHS) {
    if (depth > pinned.depth && (await liftRoot(pinned.root, pinned.depth, depth)) === root) return true;
    if (depth < pinned.depth && (await liftRoot(root, depth, pinned.depth)) === pinned.root) return true;
  }
  return false;
}

function rejected(code: ProofRejectionCode, detail: string): MembershipProofRejectedError {
  return new MembershipProofRejectedError(code, new ProofRejectedError(code, detail).message);
}

/** The pinned snapshot as a root known at its recorded depth; none when the census never had the root. */
async function pinnedRoots(em: SqlEntityManager, request: CommunityMembershipProofRequest, pinned: bigint | KnownRoot): Promise<KnownRoot[]> {
  const root = typeof pinned === 'bigint' ? pinned : pinned.root;
  const recorded = await censusRootDepth(em, request.communityId, request.kind, root);
  if (recorded === undefined) return [];
  if (typeof pinned !== 'bigint' && pinned.depth !== recorded) {
    throw rejected('DEPTH_MISMATCH', `the snapshot names depth ${pinned.depth}, but its root was recorded at depth ${recorded}`);
  }
  const snapshot = { root, depth: recorded };
  // Only the public signals are read here; a malformed proof is refused by the verifier below.
  let proofRoot: bigint | undefined;
  try {
    proofRoot = parsePublicSignals(request.publicSignals, MEMBERSHIP_PUBLIC_SIGNAL_COUNT)[1];
  } catch {
    proofRoot = undefined;
  }
  if (proofRoot !== undefined && proofRoot !== root && (await isSnapshotAtAnotherDepth(proofRoot, snapshot))) {
    throw rejected('DEPTH_MISMATCH', `the proof was made at another depth than the snapshot's (${recorded})`);
  }
  return [snapshot];
}

export async function verifyCommunityMembershipProof(
  em: SqlEntityManager,
  request: CommunityMembershipProofRequest,
): Promise<CommunityVerifiedMembership> {
  const { ring, rows } = await activeKeyRing(em, request.communityId);
  if (ring.size === 0) throw new CensusError('NO_ACTIVE_VERIFICATION_KEY', 'Failed to verify proof: the community has no active verification key');
  const roots = request.pinnedRoot !== undefined
    ? await pinnedRoots(em, request, request.pinnedRoot)
    : await recentKnownRoots(em, request.communityId, request.kind);
  try {
    const verified = await verifyMembershipProofWithKeys(ring, request.proof, request.publicSignals, {
      roots,
      scope: request.expectedScope,
      ...(request.expectedMessage === undefined ? {} : { message: request.expectedMessage }),
      ...(request.isNullifierUsed ? { isNullifierUsed: request.isNullifierUsed } : {}),
    });
    return { ...verified, verificationKeyHash: rows.get(verified.depth)!.keyHash };
  } catch (error) {
    if (error instanceof ProofRejectedError) throw new MembershipProofRejectedError(error.code, error.message);
    throw error;
  }
}

export interface MembershipProofCheckRequest {
  communityId: string;
  kind: CensusTreeName;
  /** `{"proof": …, "publicSignals": […]}` as snarkjs writes them (at most MAX_PROOF_JSON_BYTES). */
  proofJson: string;
  scope: bigint;
  message?: bigint | undefined;
  /** A snapshot root to pin instead of the recent window. */
  root?: bigint | undefined;
  /** The depth the snapshot was pinned at; when given, it must be the depth recorded for `root`. */
  depth?: number | undefined;
}

/** The outcome of a read-only check: accepted with its public values, or the first check it failed. */
export type MembershipProofCheck =
  | { valid: true; signals: MembershipPublicSignals; verificationKeyHash: string; depth: number; instance: string }
  | { valid: false; code: ProofRejectionCode | 'NO_ACTIVE_VERIFICATION_KEY'; reason: string };

/**
 * Checks a membership proof without consuming its nullifier. A proof that fails any
 * check is a result, not an error; only unexpected failures (the database) throw.
 */
export async function checkMembershipProof(em: SqlEntityManager, request: MembershipProofCheckRequest): Promise<MembershipProofCheck> {
  try {
    const { proof, publicSignals } = parseProofJson(request.proofJson);
    const { verificationKeyHash, depth, instance, ...signals } = await verifyCommunityMembershipProof(em, {
      communityId: request.communityId,
      kind: request.kind,
      proof,
      publicSignals,
      expectedScope: request.scope,
      expectedMessage: request.message,
      pinnedRoot: request.root === undefined || request.depth === undefined ? request.root : { root: request.root, depth: request.depth },
    });
    return { valid: true, signals, verificationKeyHash, depth, instance };
  } catch (error) {
    if (error instanceof ProofRejectedError || error instanceof MembershipProofRejectedError) {
      return { valid: false, code: error.code as ProofRejectionCode, reason: error.message };
    }
    if (error instanceof CensusError && error.code === 'NO_ACTIVE_VERIFICATION_KEY') return { valid: false, code: error.code, reason: error.message };
    throw error;
  }
}
