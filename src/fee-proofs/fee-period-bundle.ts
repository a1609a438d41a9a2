/**
 * Fee-period compliance bundles: one JSON file a regulator checks offline, with nothing
 * but the file (and, ideally, the community's log key obtained out of band).
 *
 * Contents: the period and its number; the money totals (fee-period-totals.ts: invoices,
 * households paid in full, partly, not at all, billed and collected principal, collection
 * rate); the paid set (`fees-paid:<period>`: depth, size, root, head count and every leaf
 * by index — commitment and whether it is active); the community's active verification
 * keys by depth; optional fee proofs the exporter collected (`{proof, publicSignals}`);
 * the community's log up to a signed checkpoint covering everything (with cosignatures
 * and an inclusion proof per entry, src/ledger/bundle.ts), and a consistency proof from
 * the checkpoint before it.
 *
 * `verifyFeePeriodBundle` checks, and names the place of each problem:
 *   ledger           signature, cosignatures, every entry's leaf hash and inclusion;
 *   consistency      the earlier checkpoint is signed by the log and consistent with the bundle's;
 *   paidSet          replaying the log's entries of the tree, every published root is the
 *                    root of the leaves so far (leaf = Poseidon(commitment, period number));
 *                    the last is the bundle's root, size and head count, and the bundle's
 *                    leaves are the replayed ones;
 *   totals           replaying the log's money entries gives the stated totals, and the
 *                    paid set holds no more households than paid in full;
 *   verificationKeys each key's hash is the one the log activated last for its depth;
 *   proofs[i]        attribute = the period number, root = a root the log published for the
 *                    paid set, and the Groth16 proof verifies with the key of that root's depth.
 */
import type { Groth16VerificationKeyJson } from 'snarkjs';
import type { SqlEntityManager } from '../db/orm.ts';
import { InvalidInputError, NotFoundError, ForbiddenError } from '../domain-error.ts';
import { hasCommunityRole, isRegulatorOf, requireViewer, type Viewer } from '../accounts/viewer.ts';
import { exportBundle, verifyBundle, type LedgerBundle } from '../ledger/bundle.ts';
import {
  consistencyFromPreviousCheckpoint,
  consistencyProblem,
  type BundleConsistency,
} from '../ledger/bundle-consistency.ts';
import { cutCheckpoint, latestCheckpoint } from '../ledger/checkpoints.ts';
import { integratePending } from '../ledger/integrator.ts';
import type { SecretSealer } from '../ledger/log-keys.ts';
import { censusTotals } from '../census/census-tree-service.ts';
import { findActiveVerificationKeys, verificationKeyOf } from '../census/verification-keys.ts';
import { parsePeriodId } from '../fees/billing-periods.ts';
import { emptyMoneyState } from '../fees/fees-state.ts';
import { moneyFold } from '../fees/money-fold.ts';
import { readTable } from '../fees/money-commands.ts';
import { membershipLeaf } from '../zk/identity.ts';
import { PoseidonMerkleTree } from '../zk/merkle-tree.ts';
import { parseProofJson } from '../zk/proof-format.ts';
import { verifyMembershipProof } from '../zk/verifier.ts';
import { verificationKeyHash } from '../zk/verification-key.ts';
import { feePeriodTotals, type FeePeriodTotals } from './fee-period-totals.ts';
import { paidSetTree, periodNumber } from './paid-set-period.ts';

export const FEE_PERIOD_BUNDLE_FORMAT = 'courtyard-fee-period-bundle/v1';
/** Fee proofs one bundle may carry. */
export const MAX_BUNDLED_FEE_PROOFS = 32;

const PAID_SET_ENTRY_TYPES = new Set(['census.join', 'census.remove', 'census.reinstate', 'census.grow']);

export interface FeePeriodBundle {
  format: typeof FEE_PERIOD_BUNDLE_FORMAT;
  communityId: string;
  periodId: string;
  periodNumber: number;
  totals: FeePeriodTotals;
  paidSet: {
    tree: string;
    depth: number;
    size: number;
    root: string;
    headCount: number;
    leaves: Array<{ leafIndex: number; commitment: string; active: boolean }>;
  };
  /** The community's active keys, by depth ("10", "14", "20"). */
  verificationKeys: Record<string, Groth16VerificationKeyJson>;
  proofs: Array<{ proof: unknown; publicSignals: string[] }>;
  ledger: LedgerBundle;
  /** From the checkpoint before the bundle's; null when the bundle's is the log's first. */
  consistency: BundleConsistency | null;
}

export interface BundleProblem {
  place: string;
  message: string;
}

export interface FeePeriodBundleVerification {
  valid: boolean;
  problems: BundleProblem[];
  rootsVerified: number;
  proofsVerified: number;
}

/** Managers, the committee, the community's regulators and admins export a period's bundle. */
function requireBundleReader(viewer: Viewer | null, communityId: string): void {
  const caller = requireViewer(viewer);
  if (
    caller.isAdmin ||
    isRegulatorOf(caller, communityId) ||
    hasCommunityRole(caller, communityId, ['manager', 'committee'])
  )
    return;
  if (hasCommunityRole(caller, communityId, ['resident']))
    throw new ForbiddenError('Requires the manager or committee role in this community, or its regulator');
  throw new NotFoundError('Community');
}

/** The latest checkpoint, cut now when entries came after it, so the bundle covers the whole log. */
export async function coveringCheckpoint(
  em: SqlEntityManager,
  communityId: string,
  sealer: SecretSealer,
): Promise<number> {
  await integratePending(em, communityId);
  const [head]: Array<{ size: unknown }> = await em.execute(
    'select tree_size as size from ledger_heads where community_id = ?',
    [communityId],
  );
  const size = Number(head?.size ?? 0);
  if (size === 0) throw new NotFoundError('Ledger entries');
  const latest = await latestCheckpoint(em, communityId);
  return latest && latest.treeSize >= size ? latest.treeSize : (await cutCheckpoint(em, communityId, sealer)).treeSize;
}

export async function exportFeePeriodBundle(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { communityId: string; periodId: string; proofs?: readonly string[] },
  sealer: SecretSealer,
): Promise<FeePeriodBundle> {
  requireBundleReader(viewer, input.communityId);
  const { communityId } = input;
  const periodId = parsePeriodId(input.periodId).periodId;
  if ((input.proofs?.length ?? 0) > MAX_BUNDLED_FEE_PROOFS)
    throw new InvalidInputError('proofs', `at most ${MAX_BUNDLED_FEE_PROOFS} proofs`);
  const proofs = (input.proofs ?? []).map((text) => {
    let parsed: { proof: unknown; publicSignals: unknown };
    try {
      parsed = parseProofJson(text);
    } catch (error) {
      throw new InvalidInputError('proofs', error instanceof Error ? error.message : 'not a proof');
    }
    const { proof, publicSignals } = parsed;
    if (!Array.isArray(publicSignals) || !publicSignals.every((signal) => typeof signal === 'string'))
      throw new InvalidInputError('proofs', 'each needs publicSignals as strings');
    return { proof, publicSignals: publicSignals as string[] };
  });
  const treeSize = await coveringCheckpoint(em, communityId, sealer);
  const ledger = await exportBundle(em, { communityId, treeSize });
  const tree = paidSetTree(periodId);
  const totals = await censusTotals(em, communityId, tree);
  const leaves: Array<{ leaf_index: unknown; identity_commitment: string; status: string }> = await em.execute(
    'select leaf_index, identity_commitment, status from census_leaves where community_id = ? and kind = ? order by leaf_index',
    [communityId, tree],
  );
  const invoices = await readTable(em, communityId, 'invoices', 'period_id = ?', [periodId]);
  const keys = await findActiveVerificationKeys(em, communityId);
  return {
    format: FEE_PERIOD_BUNDLE_FORMAT,
    communityId,
    periodId,
    periodNumber: periodNumber(periodId),
    totals: feePeriodTotals(invoices.values(), periodId),
    paidSet: {
      tree,
      depth: totals.depth,
      size: totals.size,
      root: totals.root.toString(),
      headCount: totals.headCount,
      leaves: leaves.map((leaf) => ({
        leafIndex: Number(leaf.leaf_index),
        commitment: leaf.identity_commitment,
        active: leaf.status === 'active',
      })),
    },
    verificationKeys: Object.fromEntries(keys.map((key) => [String(key.depth), verificationKeyOf(key)])),
    proofs,
    ledger,
    consistency: await consistencyFromPreviousCheckpoint(em, communityId, treeSize),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Entry = LedgerBundle['entries'][number];

/** Replays the tree's entries; every published root must be the root of the leaves so far. Returns the roots with their depths. */
async function replayPaidSet(
  bundle: FeePeriodBundle,
  entries: readonly Entry[],
  problem: (place: string, message: string) => void,
): Promise<Map<string, number>> {
  const { paidSet } = bundle;
  const roots = new Map<string, number>();
  const ofTree = entries.filter(
    (entry) => PAID_SET_ENTRY_TYPES.has(entry.type) && entry.payload['kind'] === paidSet.tree,
  );
  const commitments = new Map<number, { commitment: string; active: boolean }>();
  let tree = await PoseidonMerkleTree.open(ofTree[0] ? Number(ofTree[0].payload['depth']) : paidSet.depth);
  let headCount = 0;
  let size = 0;
  for (const entry of ofTree) {
    const payload = entry.payload;
    const place = `paidSet (entry ${entry.seq})`;
    if (entry.type === 'census.grow') {
      tree = await tree.grow(Number(payload['depth']));
    } else {
      const leafIndex = Number(payload['leafIndex']);
      const commitment = String(payload['commitment']);
      if (payload['weight'] !== bundle.periodNumber)
        problem(
          place,
          `the leaf's attribute is ${String(payload['weight'])}, not the period number ${bundle.periodNumber}`,
        );
      const leaf = await membershipLeaf(BigInt(commitment), BigInt(bundle.periodNumber));
      if (entry.type === 'census.join') {
        if (leafIndex !== size) problem(place, `joins at leaf ${leafIndex}, the next free leaf is ${size}`);
        await tree.insert(leaf);
        size += 1;
        headCount += 1;
        commitments.set(leafIndex, { commitment, active: true });
      } else if (entry.type === 'census.remove') {
        await tree.remove(leafIndex);
        headCount -= 1;
        commitments.set(leafIndex, { commitment, active: false });
      } else {
        await tree.update(leafIndex, leaf);
        headCount += 1;
        commitments.set(leafIndex, { commitment, active: true });
      }
    }
    const root = (await tree.root()).toString();
    if (payload['root'] !== root) problem(place, 'the published root is not the root of the leaves so far');
    if (payload['headCount'] !== headCount || payload['size'] !== size || payload['depth'] !== tree.depth)
      problem(place, 'the published totals differ from the replayed ones');
    roots.set(String(payload['root']), Number(payload['depth']));
  }
  const last = ofTree.at(-1);
  const lastRoot = last ? String(last.payload['root']) : (await tree.root()).toString();
  if (
    lastRoot !== paidSet.root ||
    headCount !== paidSet.headCount ||
    size !== paidSet.size ||
    tree.depth !== paidSet.depth
  ) {
    problem('paidSet', 'the stated root, size, depth or head count is not the last one the log published');
  }
  const stated = JSON.stringify(paidSet.leaves.map((leaf) => [leaf.leafIndex, leaf.commitment, leaf.active]));
  const replayed = JSON.stringify(
    [...commitments].sort(([a], [b]) => a - b).map(([index, leaf]) => [index, leaf.commitment, leaf.active]),
  );
  if (stated !== replayed) problem('paidSet', 'the stated leaves are not the ones the log recorded');
  return roots;
}

function verifyConsistencySection(bundle: FeePeriodBundle, problem: (place: string, message: string) => void): void {
  if (!bundle.consistency) return;
  const found = consistencyProblem(bundle.consistency, bundle.ledger, bundle.ledger.checkpoint);
  if (found) problem('consistency', found);
}

function verifyTotals(
  bundle: FeePeriodBundle,
  entries: readonly Entry[],
  problem: (place: string, message: string) => void,
): void {
  const money = entries.filter((entry) => moneyFold.types.includes(entry.type));
  const state = moneyFold.replay(
    money.map((entry) => ({ seq: entry.seq, type: entry.type, payload: entry.payload })),
    emptyMoneyState(bundle.communityId),
  );
  const replayed = feePeriodTotals(state.invoices.values(), bundle.periodId);
  for (const [name, value] of Object.entries(replayed)) {
    if ((bundle.totals as unknown as Record<string, unknown>)[name] !== value)
      problem(
        'totals',
        `${name} is ${String((bundle.totals as unknown as Record<string, unknown>)[name])}, the log gives ${String(value)}`,
      );
  }
  if (bundle.paidSet.headCount > replayed.householdsPaidInFull)
    problem('totals', 'the paid set holds more households than paid in full');
}

function verifyKeys(
  bundle: FeePeriodBundle,
  entries: readonly Entry[],
  problem: (place: string, message: string) => void,
): void {
  for (const [depth, key] of Object.entries(bundle.verificationKeys)) {
    const activated = entries
      .filter((entry) => entry.type === 'zk.key.activated' && String(entry.payload['instance']).startsWith('membership-') && String(entry.payload['depth']) === depth)
      .at(-1);
    try {
      if (!activated || activated.payload['hash'] !== verificationKeyHash(key))
        problem(`verificationKeys.${depth}`, 'the key is not the one the log activated last for its depth');
    } catch (error) {
      problem(`verificationKeys.${depth}`, describe(error));
    }
  }
}

async function verifyProofs(
  bundle: FeePeriodBundle,
  roots: Map<string, number>,
  problem: (place: string, message: string) => void,
): Promise<number> {
  let verified = 0;
  for (const [index, item] of bundle.proofs.entries()) {
    const place = `proofs[${index}]`;
    const signals = item.publicSignals;
    if (!Array.isArray(signals) || signals.length !== 5) {
      problem(place, 'needs five public signals');
      continue;
    }
    if (signals[2] !== String(bundle.periodNumber)) {
      problem(place, `its attribute is not the period number ${bundle.periodNumber}`);
      continue;
    }
    const depth = roots.get(String(signals[1]));
    if (depth === undefined) {
      problem(place, 'its root is not one the log published for the paid set');
      continue;
    }
    const key = bundle.verificationKeys[String(depth)];
    if (!key) {
      problem(place, `the bundle has no verification key for depth ${depth}`);
      continue;
    }
    try {
      await verifyMembershipProof(key, item.proof, signals, {
        roots: [BigInt(signals[1]!)],
        scope: BigInt(signals[3]!),
      });
      verified += 1;
    } catch (error) {
      problem(place, `the proof does not verify: ${describe(error)}`);
    }
  }
  return verified;
}

/** Verifies a fee-period bundle offline; every problem names its place. */
export async function verifyFeePeriodBundle(
  bundle: FeePeriodBundle,
  trustedLogVerifierKey?: string,
): Promise<FeePeriodBundleVerification> {
  const problems: BundleProblem[] = [];
  const problem = (place: string, message: string) => problems.push({ place, message });
  if (bundle.format !== FEE_PERIOD_BUNDLE_FORMAT)
    return {
      valid: false,
      problems: [{ place: 'format', message: `unknown format ${String(bundle.format)}` }],
      rootsVerified: 0,
      proofsVerified: 0,
    };
  const run = async <T>(place: string, work: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      problem(place, describe(error));
      return undefined;
    }
  };
  await run('ledger', () => verifyBundle(bundle.ledger, trustedLogVerifierKey));
  await run('consistency', () => verifyConsistencySection(bundle, problem));
  const entries = bundle.ledger.entries;
  if (bundle.ledger.range.start !== 0)
    problem('ledger', 'the log must start at entry 0 to replay the paid set and the money');
  await run('periodNumber', () => {
    if (periodNumber(bundle.periodId) !== bundle.periodNumber)
      problem('periodNumber', `is not the number of period ${bundle.periodId}`);
    if (paidSetTree(bundle.periodId) !== bundle.paidSet.tree)
      problem('paidSet', `the tree is not the paid set of ${bundle.periodId}`);
  });
  const roots = (await run('paidSet', () => replayPaidSet(bundle, entries, problem))) ?? new Map<string, number>();
  await run('totals', () => verifyTotals(bundle, entries, problem));
  await run('verificationKeys', () => verifyKeys(bundle, entries, problem));
  const proofsVerified = (await run('proofs', () => verifyProofs(bundle, roots, problem))) ?? 0;
  return { valid: problems.length === 0, problems, rootsVerified: roots.size, proofsVerified };
}
