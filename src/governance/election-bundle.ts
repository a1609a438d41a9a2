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
import { canonicalJson } from '../ledger/entry-encoding.ts';
import { findElection } from './encrypted-election.ts';
import { ENCRYPTED_TALLY_FORMAT, verifyEncryptedTallySection, type EncryptedTallySection } from './encrypted-tally-bundle.ts';
import { proposalForm } from './proposals.ts';

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
  proposal: { id: string; scope: string; mode: 'anonymous' | 'named' | 'encrypted'; form: string; options: string[] };
  census: { kind: string; depth: number; size: number; root: string; heads: string; weight: string; leaves: Array<{ leafIndex: number; commitment: string; weight: string }> };
  verificationKey: Groth16VerificationKeyJson;
  ballots: BundleBallot[];
  tally: ResultJson['totals'];
  result: ResultJson;
  ledger: LedgerBundle;
  /** Encrypted weights: every ballot's proof and ciphertext, the sums, the partial decryptions (courtyard-encrypted-tally/v1). */
  encrypted?: EncryptedTallySection;
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
  const encrypted = proposal.mode === 'encrypted' ? await encryptedSection(em, proposal.id) : undefined;
  return {
    format: ELECTION_BUNDLE_FORMAT,
    communityId,
    proposal: { id: proposal.id, scope: proposal.scope.toString(), mode: proposal.mode, form: proposal.formKind, options: formOptions(proposal.formKind, proposal.options.map((o) => o.id), proposal.abstain) },
    census: {
      kind: proposal.censusKind, depth: snapshot.depth, size: snapshot.size, root: snapshot.root.toString(),
      heads: snapshot.heads.toString(), weight: snapshot.weight.toString(),
      leaves: members.map((member) => ({ leafIndex: Number(member.leaf_index), commitment: member.identity_commitment, weight: String(member.weight) })),
    },
    verificationKey: encrypted ? encrypted.verificationKey.verificationKey : key ? verificationKeyOf(key) : ({} as Groth16VerificationKeyJson),
    ballots,
    tally: proposal.result.totals,
    result: proposal.result,
    ledger,
    ...(encrypted ? { encrypted } : {}),
  };
}

/** The encrypted tally as the result decided it: ballots in cast order with proofs, sums, partials, totals. */
async function encryptedSection(em: SqlEntityManager, proposalId: string): Promise<EncryptedTallySection> {
  const proposal = (await findProposal(em, proposalId))!;
  const election = (await findElection(em, proposalId))!;
  const result = proposal.result!;
  const snapshot = proposal.snapshot!;
  const rows: Array<{ choice: string; proof: unknown }> = await em.execute(
    'select choice, proof from governance_encrypted_ballots where proposal_id = ? order by ledger_entry_id', [proposalId]);
  const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;
  return {
    format: ENCRYPTED_TALLY_FORMAT,
    rule: proposal.rule,
    form: proposalForm(proposal),
    electionKey: election.keyRecord!,
    verificationKey: election.ballotKey!,
    root: { root: snapshot.root.toString(), depth: snapshot.depth },
    scope: proposal.scope.toString(),
    census: { heads: snapshot.heads.toString(), weight: snapshot.weight.toString() },
    ballots: rows.map((row) => ({ choice: row.choice, ...json<{ proof: unknown; publicSignals: string[] }>(row.proof) })),
    sums: (result.encrypted?.sums ?? []).map((sum) => ({ c1: sum.c1, c2: sum.c2 })),
    partialDecryptions: (result.encrypted?.partialDecryptions ?? []) as EncryptedTallySection['partialDecryptions'],
    totals: Object.fromEntries(result.totals.map((total) => [total.option, { heads: total.heads, weight: total.weight }])),
    passed: result.passed,
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

  // The membership key the log activated last before the opening (encrypted-ballot keys
  // are checked with the encrypted section and the replay).
  const activated = entries.filter((entry) => entry.type === 'zk.key.activated' && String(entry.payload['instance']).startsWith('membership-') &&
    (!opened || entry.seq < opened.seq)).at(-1);
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

  if (bundle.proposal.mode === 'encrypted') {
    await verifyEncryptedPart(bundle, ofProposal, opened, resultEntry, problem);
  }

  // The result: replay, and the checkpoint it cites.
  try {
    const replayed = replayGovernance(entries.map((entry) => ({ type: entry.type, payload: entry.payload, time: new Date(entry.time) }))).get(proposalId);
    if (!replayed || replayed.resultMatches !== true) problem('result', 'replaying the log does not give the recorded totals and verdict');
    if (replayed?.encrypted && replayed.encrypted.ballotKeyMatches !== true) {
      problem('verificationKey', 'the encrypted-ballot key is not the one the log activated for the snapshot\'s depth before the opening');
    }
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
        for (const entry of ofProposal) {
          if (entry.type === 'governance.encrypted-ballot' && entry.seq >= cited.treeSize) problem('result', `ballot entry ${entry.seq} lies after the cited checkpoint`);
        }
      }
    }
  } catch (error) {
    problem('result', describe(error));
  }
  if (bundle.proposal.mode === 'encrypted' && bundle.encrypted) {
    // Encrypted ballots are counted from the section: each whose place names no problem matched the log and verified.
    const bad = new Set(problems.map((found) => found.place).filter((place) => place.startsWith('encrypted.ballots[')));
    const count = bundle.encrypted.ballots.length;
    return { valid: problems.length === 0, problems, ballotsVerified: count, proofsVerified: count - bad.size };
  }
  return { valid: problems.length === 0, problems, ballotsVerified: bundle.ballots.length, proofsVerified };
}

type BundleEntry = LedgerBundle['entries'][number];

/**
 * The encrypted section: recomputed from itself (every proof, the sums, the partial
 * decryptions, the totals and the verdict), and tied to the log — each ballot is its
 * ledger entry (nullifier, choice, ciphertext), the election key and the pinned
 * encrypted-ballot key are the ones the log recorded, the sums and partials are the result
 * entry's, and the census is the pinned one.
 */
async function verifyEncryptedPart(
  bundle: ElectionBundle, ofProposal: BundleEntry[], opened: BundleEntry | undefined, resultEntry: BundleEntry | undefined,
  problem: (place: string, message: string) => void,
): Promise<void> {
  const section = bundle.encrypted;
  if (!section) return void problem('encrypted', 'an encrypted-weight proposal\'s bundle lacks its encrypted section');
  try {
    for (const found of await verifyEncryptedTallySection(section)) problem(`encrypted.${found.place}`, `${found.code}: ${found.detail}`);
    const ballotEntries = ofProposal.filter((entry) => entry.type === 'governance.encrypted-ballot');
    if (ballotEntries.length !== section.ballots.length) problem('encrypted.ballots', `the log has ${ballotEntries.length} encrypted ballots, the bundle ${section.ballots.length}`);
    section.ballots.forEach((ballot, index) => {
      const payload = ballotEntries[index]?.payload;
      const ciphertext = payload?.['ciphertext'] as { c1: { x: string; y: string }; c2: { x: string; y: string } } | undefined;
      const signals = ballot.publicSignals ?? [];
      if (!payload || !ciphertext || payload['choice'] !== ballot.choice || payload['nullifier'] !== signals[0] ||
        ciphertext.c1.x !== signals[1] || ciphertext.c1.y !== signals[2] || ciphertext.c2.x !== signals[3] || ciphertext.c2.y !== signals[4]) {
        problem(`encrypted.ballots[${index}]`, 'differs from its ledger entry (nullifier, choice or ciphertext)');
      }
    });
    const keyEntry = ofProposal.find((entry) => entry.type === 'governance.election-key');
    if (!keyEntry || canonicalJson(keyEntry.payload['record']) !== canonicalJson(section.electionKey)) {
      problem('encrypted.electionKey', 'the election key is not the one the log recorded');
    }
    const pinned = opened?.payload['encryptedBallotKey'] as { hash?: string } | undefined;
    if (!pinned || pinned.hash !== verificationKeyHash(section.verificationKey.verificationKey) ||
      verificationKeyHash(bundle.verificationKey) !== pinned.hash) {
      problem('verificationKey', 'the encrypted-ballot key is not the one the opening entry pinned');
    }
    const census = bundle.census;
    if (section.root.root !== census.root || section.root.depth !== census.depth || section.scope !== bundle.proposal.scope ||
      section.census.heads !== census.heads || section.census.weight !== census.weight) {
      problem('encrypted.census', 'the root, depth, scope or census counts differ from the pinned ones');
    }
    const recorded = resultEntry?.payload['encrypted'] as { sums?: Array<{ c1: unknown; c2: unknown }>; partialDecryptions?: unknown } | undefined;
    if (!recorded || canonicalJson((recorded.sums ?? []).map((sum) => ({ c1: sum.c1, c2: sum.c2 }))) !== canonicalJson(section.sums) ||
      canonicalJson(recorded.partialDecryptions ?? null) !== canonicalJson(section.partialDecryptions)) {
      problem('encrypted.result', 'the sums or partial decryptions differ from the result entry');
    }
  } catch (error) {
    problem('encrypted', describe(error));
  }
}
