/**
 * Election bundles: one JSON file a regulator checks offline, with nothing but the file
 * (and, ideally, the community's log key obtained out of band).
 *
 * Contents: the proposal as recorded; the pinned census (its leaves — commitment and
 * weight by index — from which the root is rebuilt); the membership verification key;
 * every ballot cast, with its proof for anonymous ballots; the tally; and the community's
 * log up to a signed checkpoint (with its cosignatures) that covers the result entry,
 * every entry with its RFC 9162 inclusion proof (src/ledger/bundle.ts).
 *
 * `verifyElectionBundle` checks, and names the place of each problem:
 *   ledger          the log bundle (signature, cosignatures, every entry's leaf hash and inclusion);
 *   census          the leaves rebuild the pinned root; heads and weight are the opening entry's;
 *   verificationKey its hash is the one the log activated;
 *   ballots[i]      each matches its ledger entry; each anonymous proof verifies (batched
 *                   pairing; one by one to find a bad one) with the pinned root, the
 *                   proposal's scope, the choice's message and the ballot's weight;
 *   result          replaying the log's governance entries gives the recorded totals and
 *                   verdict; the checkpoint the result cites is the root of the log's
 *                   first treeSize entries, and every ballot entry lies inside it.
 * Each anonymous proof also verifies with stock `snarkjs groth16 verify` (docs/governance.md).
 */
import type { Groth16VerificationKeyJson } from 'snarkjs';
import type { SqlEntityManager } from '../db/orm.ts';
import { ForbiddenError, NotFoundError } from '../domain-error.ts';
import { hasCommunityRole, isRegulatorOf, requireViewer, type Viewer } from '../accounts/viewer.ts';
import { exportBundle, verifyBundle, type LedgerBundle } from '../ledger/bundle.ts';
import { cutCheckpoint, latestCheckpoint } from '../ledger/checkpoints.ts';
import type { SecretSealer } from '../ledger/log-keys.ts';
import { integratePending, sequenceOfEntry } from '../ledger/integrator.ts';
import { equalBytes, fromHex } from '../ledger/merkle-hash.ts';
import { MemoryNodeSource, treeRoot } from '../ledger/merkle-tree.ts';
import { findActiveVerificationKey, verificationKeyOf } from '../census/verification-keys.ts';
import { verifyMembershipBatch } from '../zk/batch-verifier.ts';
import { membershipLeaf } from '../zk/identity.ts';
import { PoseidonMerkleTree } from '../zk/merkle-tree.ts';
import { verificationKeyHash } from '../zk/verification-key.ts';
import { replayGovernance } from './governance-replay.ts';
import { choiceMessage } from './proposal-scope.ts';
import { findProposal, type ResultJson } from './proposals.ts';
import { ballotOptions } from './tally-rules.ts';
import { formOf } from './rule-json.ts';

export const ELECTION_BUNDLE_FORMAT = 'courtyard-election-bundle/v1';

export interface BundleBallot {
  ballot: string;
  channel: 'anonymous' | 'online' | 'paper';
  choice: string;
  weight: string;
  nullifier: string | null;
  /** Anonymous ballots: `{ proof, publicSignals }` exactly as snarkjs writes them. */
  proof: { proof: unknown; publicSignals: string[] } | null;
  seq: number;
}

export interface ElectionBundle {
  format: typeof ELECTION_BUNDLE_FORMAT;
  communityId: string;
  proposal: { id: string; scope: string; mode: 'anonymous' | 'named'; form: string; options: string[] };
  census: { kind: string; depth: number; size: number; root: string; heads: string; weight: string; leaves: Array<{ leafIndex: number; commitment: string; weight: string }> };
  verificationKey: Groth16VerificationKeyJson;
  ballots: BundleBallot[];
  tally: ResultJson['totals'];
  result: ResultJson;
  ledger: LedgerBundle;
}

export interface BundleProblem {
  /** Where: "ledger", "census", "verificationKey", "ballots[3]", "result", "format". */
  place: string;
  message: string;
}

export interface ElectionBundleVerification {
  valid: boolean;
  problems: BundleProblem[];
  ballotsVerified: number;
  proofsVerified: number;
}

/** The committee, the community's managers and its regulators export a closed proposal's bundle. */
export async function exportElectionBundle(em: SqlEntityManager, viewer: Viewer | null, proposalId: string, sealer: SecretSealer): Promise<ElectionBundle> {
  const caller = requireViewer(viewer);
  const proposal = await findProposal(em, proposalId);
  if (!proposal || !(caller.isAdmin || isRegulatorOf(caller, proposal.communityId) || hasCommunityRole(caller, proposal.communityId, ['committee', 'manager', 'resident']))) {
    throw new NotFoundError('Proposal');
  }
  if (!(caller.isAdmin || isRegulatorOf(caller, proposal.communityId) || hasCommunityRole(caller, proposal.communityId, ['committee', 'manager']))) {
    throw new ForbiddenError('Requires the committee or manager role in this community, or its regulator');
  }
  if (!proposal.result || !proposal.snapshot) throw new NotFoundError('Proposal result');
  const { communityId } = proposal;
  await integratePending(em, communityId);
  const resultSeq = await sequenceOfEntry(em, communityId, proposal.resultEntryId!, proposal.closedAt!);
  let checkpoint = await latestCheckpoint(em, communityId);
  if (!checkpoint || checkpoint.treeSize <= resultSeq) checkpoint = await cutCheckpoint(em, communityId, sealer);
  const ledger = await exportBundle(em, { communityId, treeSize: checkpoint.treeSize });
  const members: Array<{ leaf_index: unknown; identity_commitment: string; weight: unknown }> = await em.execute(
    'select leaf_index, identity_commitment, weight from governance_snapshot_members where proposal_id = ? order by leaf_index', [proposal.id]);
  const key = await findActiveVerificationKey(em, communityId);
  const rows: Array<{ id: string; channel: BundleBallot['channel']; choice: string; weight: unknown; nullifier: string | null; proof: unknown; ledger_entry_id: unknown; ledger_time: unknown }> =
    await em.execute('select id, channel, choice, weight, nullifier, proof, ledger_entry_id, ledger_time from governance_ballots where proposal_id = ? order by ledger_entry_id', [proposal.id]);
  const ballots: BundleBallot[] = [];
  for (const row of rows) {
    const time = row.ledger_time instanceof Date ? row.ledger_time : new Date(String(row.ledger_time));
    ballots.push({
      ballot: row.id,
      channel: row.channel,
      choice: row.choice,
      weight: String(row.weight),
      nullifier: row.nullifier,
      proof: row.proof === null ? null : ((typeof row.proof === 'string' ? JSON.parse(row.proof) : row.proof) as BundleBallot['proof']),
      seq: await sequenceOfEntry(em, communityId, Number(row.ledger_entry_id), time),
    });
  }
  const snapshot = proposal.snapshot;
  return {
    format: ELECTION_BUNDLE_FORMAT,
    communityId,
    proposal: { id: proposal.id, scope: proposal.scope.toString(), mode: proposal.mode, form: proposal.formKind, options: formOptions(proposal.formKind, proposal.options.map((o) => o.id), proposal.abstain) },
    census: {
      kind: proposal.censusKind, depth: snapshot.depth, size: snapshot.size, root: snapshot.root.toString(),
      heads: snapshot.heads.toString(), weight: snapshot.weight.toString(),
      leaves: members.map((member) => ({ leafIndex: Number(member.leaf_index), commitment: member.identity_commitment, weight: String(member.weight) })),
    },
    verificationKey: key ? verificationKeyOf(key) : ({} as Groth16VerificationKeyJson),
    ballots,
    tally: proposal.result.totals,
    result: proposal.result,
    ledger,
  };
}

function formOptions(kind: string, options: string[], abstain: boolean): string[] {
  return ballotOptions(formOf(kind, options.map((id) => ({ id, label: id })), abstain));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Verifies an election bundle offline; every problem names its place. */
export async function verifyElectionBundle(bundle: ElectionBundle, trustedLogVerifierKey?: string): Promise<ElectionBundleVerification> {
  const problems: BundleProblem[] = [];
  const problem = (place: string, message: string) => problems.push({ place, message });
  if (bundle.format !== ELECTION_BUNDLE_FORMAT) return { valid: false, problems: [{ place: 'format', message: `unknown format ${String(bundle.format)}` }], ballotsVerified: 0, proofsVerified: 0 };

  // The log.
  let ledgerValid = true;
  try {
    verifyBundle(bundle.ledger, trustedLogVerifierKey);
  } catch (error) {
    ledgerValid = false;
    problem('ledger', describe(error));
  }
  const entries = bundle.ledger.entries;
  const proposalId = bundle.proposal.id;
  const ofProposal = entries.filter((entry) => entry.type.startsWith('governance.') && entry.payload['proposal'] === proposalId);
  const opened = ofProposal.find((entry) => entry.type === 'governance.open');
  const resultEntry = ofProposal.find((entry) => entry.type === 'governance.result');
  const created = ofProposal.find((entry) => entry.type === 'governance.proposal');
  if (!created || !opened || !resultEntry) problem('ledger', 'the log lacks the proposal, its opening or its result entry');

  // The census.
  const census = bundle.census;
  try {
    if (opened && (opened.payload['root'] !== census.root || opened.payload['heads'] !== census.heads || opened.payload['weight'] !== census.weight ||
      opened.payload['size'] !== census.size || opened.payload['depth'] !== census.depth)) {
      problem('census', 'the snapshot differs from the one the opening entry pinned');
    }
    if (created && created.payload['scope'] !== bundle.proposal.scope) problem('proposal', 'the scope differs from the one the proposal entry recorded');
    const leaves = new Array<bigint>(census.size).fill(0n);
    let weight = 0n;
    for (const leaf of census.leaves) {
      if (!Number.isSafeInteger(leaf.leafIndex) || leaf.leafIndex < 0 || leaf.leafIndex >= census.size) throw new Error(`leaf ${leaf.leafIndex} is outside the tree`);
      leaves[leaf.leafIndex] = await membershipLeaf(BigInt(leaf.commitment), BigInt(leaf.weight));
      weight += BigInt(leaf.weight);
    }
    const root = await (await PoseidonMerkleTree.build(leaves, census.depth)).root();
    if (root.toString() !== census.root) problem('census', 'the leaves do not rebuild the pinned root');
    if (BigInt(census.leaves.length) !== BigInt(census.heads) || weight.toString() !== census.weight) problem('census', 'the leaves do not add up to the pinned heads and weight');
  } catch (error) {
    problem('census', describe(error));
  }

  // The verification key the log activated last before the opening.
  const activated = entries.filter((entry) => entry.type === 'zk.key.activated' && (!opened || entry.seq < opened.seq)).at(-1);
  try {
    if (bundle.proposal.mode === 'anonymous' && (!activated || activated.payload['hash'] !== verificationKeyHash(bundle.verificationKey))) {
      problem('verificationKey', 'the key is not the one the log activated before the opening');
    }
  } catch (error) {
    problem('verificationKey', describe(error));
  }

  // The ballots against their entries, and the anonymous proofs.
  const ballotEntries = new Map(ofProposal.filter((entry) => entry.type === 'governance.ballot').map((entry) => [entry.payload['ballot'], entry]));
  if (ballotEntries.size !== bundle.ballots.length) problem('ballots', `the log has ${ballotEntries.size} ballot entries, the bundle ${bundle.ballots.length} ballots`);
  const form = formOf(bundle.proposal.form, bundle.proposal.options.filter((option) => option !== 'abstain').map((id) => ({ id, label: id })), bundle.proposal.options.includes('abstain'));
  const toProve: Array<{ index: number; message: bigint }> = [];
  bundle.ballots.forEach((ballot, index) => {
    const place = `ballots[${index}]`;
    const entry = ballotEntries.get(ballot.ballot);
    if (!entry) return void problem(place, 'no ledger entry records this ballot');
    const payload = entry.payload;
    if (entry.seq !== ballot.seq || payload['choice'] !== ballot.choice || payload['weight'] !== ballot.weight || payload['channel'] !== ballot.channel ||
      (payload['nullifier'] ?? null) !== ballot.nullifier) {
      return void problem(place, `differs from its ledger entry ${entry.seq}`);
    }
    if (ballot.channel !== 'anonymous') return;
    const signals = ballot.proof?.publicSignals;
    try {
      const message = choiceMessage(form, ballot.choice);
      if (!signals || signals.length !== 5 || signals[0] !== ballot.nullifier || signals[1] !== census.root || signals[2] !== ballot.weight ||
        signals[3] !== bundle.proposal.scope || signals[4] !== message.toString()) {
        return void problem(place, 'its public signals are not (nullifier, pinned root, weight, scope, choice)');
      }
      toProve.push({ index, message });
    } catch (error) {
      problem(place, describe(error));
    }
  });
  let proofsVerified = 0;
  if (toProve.length > 0) {
    try {
      const results = await verifyMembershipBatch(bundle.verificationKey, toProve.map(({ index }) => bundle.ballots[index]!.proof!), {
        roots: [BigInt(census.root)], scope: BigInt(bundle.proposal.scope),
      });
      results.forEach((result, position) => {
        if (result.valid) proofsVerified += 1;
        else problem(`ballots[${toProve[position]!.index}]`, `the proof does not verify: ${result.error.code}`);
      });
    } catch (error) {
      problem('verificationKey', describe(error));
    }
  }

  // The result: replay, and the checkpoint it cites.
  try {
    const replayed = replayGovernance(entries.map((entry) => ({ type: entry.type, payload: entry.payload, time: new Date(entry.time) }))).get(proposalId);
    if (!replayed || replayed.resultMatches !== true) problem('result', 'replaying the log does not give the recorded totals and verdict');
    if (resultEntry && JSON.stringify(bundle.tally.map((t) => [t.option, t.heads, t.weight])) !==
      JSON.stringify((resultEntry.payload['totals'] as ResultJson['totals']).map((t) => [t.option, t.heads, t.weight]))) {
      problem('result', 'the tally differs from the result entry');
    }
    const cited = resultEntry?.payload['checkpoint'] as { treeSize: number; rootHash: string } | undefined;
    if (cited && ledgerValid) {
      if (cited.treeSize > entries.length || cited.treeSize <= 0) problem('result', 'the cited checkpoint lies outside the bundled log');
      else {
        const root = await treeRoot(new MemoryNodeSource(entries.slice(0, cited.treeSize).map((entry) => fromHex(entry.leafHash))), cited.treeSize);
        if (!equalBytes(root, fromHex(cited.rootHash))) problem('result', 'the cited checkpoint root is not the root of the log at that size');
        for (const entry of ballotEntries.values()) if (entry.seq >= cited.treeSize) problem('result', `ballot entry ${entry.seq} lies after the cited checkpoint`);
      }
    }
  } catch (error) {
    problem('result', describe(error));
  }
  return { valid: problems.length === 0, problems, ballotsVerified: bundle.ballots.length, proofsVerified };
}
