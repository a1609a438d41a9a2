/**
 * Replay equals live for governance: folds a community's ledger with `replayGovernance`
 * and compares each proposal's status, the ballot that counts per member and the result
 * with the live tables. The module's `replay` hook (`npm run ledger:replay`) and the
 * tests use it; each difference names its proposal.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { ReplayComparison } from '../kernel/domain-module.ts';
import { integratePending } from '../ledger/integrator.ts';
import { replayGovernance } from './governance-replay.ts';

type BallotRow = [memberKey: string, channel: string, choice: string, weight: string];

const ballotKey = (ballot: BallotRow): string => ballot.join('|');

export async function compareGovernanceReplay(em: SqlEntityManager, communityId: string): Promise<ReplayComparison> {
  await integratePending(em, communityId);
  const entries: Array<{ type: string; payload: Record<string, unknown> | string; time_ms: unknown }> = await em.execute(
    `select type, payload, (extract(epoch from recorded_at) * 1000)::int8 as time_ms
       from ledger_entries where community_id = ? and type like 'governance.%' order by seq`,
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
    if ((row.status === 'closed' || row.status === 'final') && proposal.resultMatches !== true) {
      differences.push({ description: `proposal ${row.id}: the result entry differs from the replayed tally` });
    }
  }
  return { entries: entries.length, differences };
}
