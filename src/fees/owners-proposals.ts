/**
 * What governance says of an owners' proposal, for the spends that need one (the
 * maintenance fund's, DESIGN.md §3): the proposal a spend names must be of the same
 * community, decide Art. 278 item 5 (使用建筑物及其附属设施的维修资金, using the
 * maintenance fund), and have passed with a final result — its objection window over, so
 * a challenge can no longer undo it.
 *
 * Governance proposals state no amount yet, so a passed one authorises the spend whatever
 * its amount (the spend's approvals still bound it); `authorisedAmountFen` is the largest
 * amount until proposals carry one.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { OwnersProposalFact } from '../funds/expense-approval.ts';
import { MAX_AMOUNT_FEN } from '../funds/fen.ts';

/** Art. 278 item 5: using the building's maintenance fund. */
export const MAINTENANCE_FUND_MATTER = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;

export async function ownersProposalFromGovernance(
  em: SqlEntityManager,
  communityId: string,
  proposalId: string,
): Promise<OwnersProposalFact | null> {
  if (!UUID.test(proposalId)) return null;
  const rows: Array<{ status: string; matter_item: number | null; result: unknown }> = await em.execute(
    'select status, matter_item, result from governance_proposals where id = ? and community_id = ?',
    [proposalId, communityId],
  );
  const row = rows[0];
  if (!row) return null;
  const result = (typeof row.result === 'string' ? JSON.parse(row.result) : row.result) as { passed?: unknown } | null;
  const passed =
    row.status === 'final' && Number(row.matter_item) === MAINTENANCE_FUND_MATTER && result?.passed === true;
  return { proposalId, passed, authorisedAmountFen: MAX_AMOUNT_FEN };
}
