/**
 * Replay equals live for governance: folds a community's ledger with `replayGovernance`
 * and compares each proposal's status, the ballot that counts per member and the result
 * with the live tables. The module's `replay` hook (`npm run ledger:replay`) and the
 * tests use it; each difference names its proposal.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { ReplayComparison } from '../kernel/domain-module.ts';
import { integratePending } from '../ledger/integrator.ts';
import { canonicalJson } from '../ledger/entry-encoding.ts';
import { ciphertextToJson } from './encrypted-weights/elgamal.ts';
import { replayGovernance, type ReplayedElection } from './governance-replay.ts';

type BallotRow = [memberKey: string, channel: string, choice: string, weight: string];

const ballotKey = (ballot: BallotRow): string => ballot.join('|');

export async function compareGovernanceReplay(em: SqlEntityManager, communityId: string): Promise<ReplayComparison> {
  await integratePending(em, communityId);
  const entries: Array<{ type: string; payload: Record<string, unknown> | string; time_ms: unknown }> = await em.execute(
    `select type, payload, (extract(epoch from recorded_at) * 1000)::int8 as time_ms
       from ledger_entries where community_id = ? and (type like 'governance.%' or type = 'zk.key.activated') order by seq`,
    [communityId],
  );
  const replayed = replayGovernance(entries.map((entry) => ({
    type: entry.type,
    payload: typeof entry.payload === 'string' ? (JSON.parse(entry.payload) as Record<string, unknown>) : entry.payload,
    time: new Date(Number(entry.time_ms)),
  })));
  const live: Array<{ id: string; status: string }> = await em.execute('select id, status from governance_proposals where community_id = ?', [communityId]);
  const differences: Array<{ description: string }> = [];
  for (const id of replayed.keys()) {
    if (!live.some((row) => row.id === id)) differences.push({ description: `proposal ${id}: on the ledger only` });
  }
  for (const row of live) {
    const proposal = replayed.get(row.id);
    if (!proposal) {
      differences.push({ description: `proposal ${row.id}: live only` });
      continue;
    }
    if (proposal.status !== row.status) differences.push({ description: `proposal ${row.id}: status ${row.status} live, ${proposal.status} replayed` });
    const current: Array<{ member_key: string; channel: string; choice: string; weight: unknown }> = await em.execute(
      'select member_key, channel, choice, weight from governance_current_ballots where proposal_id = ?', [row.id]);
    const liveBallots = current.map((ballot): BallotRow => [ballot.member_key, ballot.channel, ballot.choice, String(ballot.weight)]).map(ballotKey).sort();
    const replayedBallots = [...proposal.ballots.values()]
      .map((ballot): BallotRow => [ballot.memberKey, ballot.channel, ballot.choice, ballot.weight.toString()]).map(ballotKey).sort();
    if (liveBallots.join('\n') !== replayedBallots.join('\n')) {
      differences.push({ description: `proposal ${row.id}: counted ballots differ (${liveBallots.length} live, ${replayedBallots.length} replayed)` });
    }
    if (proposal.encrypted) differences.push(...(await compareEncrypted(em, row.id, proposal.encrypted)));
    if ((row.status === 'closed' || row.status === 'final') && proposal.resultMatches !== true) {
      differences.push({ description: `proposal ${row.id}: the result entry differs from the replayed tally` });
    }
  }
  return { entries: entries.length, differences };
}

/** Encrypted weights: the counted ballot per nullifier, the running sums, the election key and the closing sums. */
async function compareEncrypted(em: SqlEntityManager, proposalId: string, election: ReplayedElection): Promise<Array<{ description: string }>> {
  const differences: Array<{ description: string }> = [];
  const current: Array<{ nullifier: string; ballot_id: string; choice: string; ciphertext: unknown }> = await em.execute(
    'select nullifier, ballot_id, choice, ciphertext from governance_encrypted_current where proposal_id = ?', [proposalId]);
  const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);
  const live = current.map((row) => canonicalJson([row.nullifier, row.ballot_id, row.choice, json(row.ciphertext)])).sort();
  const replayed = [...election.current].map(([nullifier, ballot]) => canonicalJson([nullifier, ballot.ballot, ballot.choice, ballot.ciphertext])).sort();
  if (live.join('\n') !== replayed.join('\n')) {
    differences.push({ description: `proposal ${proposalId}: counted encrypted ballots differ (${live.length} live, ${replayed.length} replayed)` });
  }
  const sums: Array<{ option: string; heads: unknown; ciphertext: unknown }> = await em.execute(
    'select option, heads, ciphertext from governance_encrypted_sums where proposal_id = ? order by position', [proposalId]);
  const box = election.box;
  const liveSums = canonicalJson(sums.map((sum) => [sum.option, String(sum.heads), json(sum.ciphertext)]));
  const replayedSums = box ? canonicalJson(box.sums().map((sum, index) => [box.options[index]!, box.heads(box.options[index]!).toString(), ciphertextToJson(sum)])) : '[]';
  if (liveSums !== replayedSums) differences.push({ description: `proposal ${proposalId}: the homomorphic sums differ from the replayed ballots` });
  const keys: Array<{ key_record: unknown }> = await em.execute('select key_record from governance_elections where proposal_id = ?', [proposalId]);
  const liveKey = keys[0]?.key_record === null || keys[0]?.key_record === undefined ? null : canonicalJson(json(keys[0].key_record));
  if (liveKey !== (election.keyRecord ? canonicalJson(election.keyRecord) : null) || (election.keyRecord !== null && election.keyMatches !== true)) {
    differences.push({ description: `proposal ${proposalId}: the election key differs from the one recomputed from the trustees' rounds` });
  }
  const pinned: Array<{ ballot_key_hash: string | null }> = await em.execute('select ballot_key_hash from governance_elections where proposal_id = ?', [proposalId]);
  const livePinned = pinned[0]?.ballot_key_hash ?? null;
  if (livePinned !== null && (livePinned !== election.ballotKeyHash || election.ballotKeyMatches !== true)) {
    differences.push({ description: `proposal ${proposalId}: the pinned encrypted-ballot key is not the one the ledger had active at the opening` });
  }
  if (election.sumsMatch === false) differences.push({ description: `proposal ${proposalId}: the closing sums entry differs from the replayed ballots` });
  return differences;
}
