/**
 * What a regulator (街道办, 住建) reads: the communities of its jurisdictions, and for each
 * only aggregates — collection rate, arrears ageing, fund balances, the outcome and
 * participation of votes, rating score cards — never a household, a name, a unit, or a
 * proposal's text. Every read checks that the community lies in one of the caller's
 * jurisdictions (admins see every community); a community outside them is FORBIDDEN.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { ForbiddenError } from '../domain-error.ts';
import { isRegulatorOf, requireViewer, type Viewer } from '../accounts/viewer.ts';

export function requireOverseer(viewer: Viewer | null, communityId: string): Viewer {
  const caller = requireViewer(viewer);
  if (caller.isAdmin || isRegulatorOf(caller, communityId)) return caller;
  throw new ForbiddenError("Only the community's regulators oversee it");
}

/** The ids of the communities the caller regulates, in id order (admins: every community). */
export async function overseenCommunityIds(em: SqlEntityManager, viewer: Viewer | null): Promise<string[]> {
  const caller = requireViewer(viewer);
  if (caller.isAdmin) {
    const rows: Array<{ id: string }> = await em.execute('select id from communities order by id');
    return rows.map((row) => row.id);
  }
  if (!caller.isRegulator) throw new ForbiddenError('Requires the regulator role');
  return [...caller.regulatedCommunityIds].sort();
}

/** A closed vote's participation and outcome, as counts. */
export interface ProposalOutcome {
  proposalId: string;
  status: string;
  census: string;
  eligibleHeads: string;
  eligibleWeight: string;
  participatingHeads: string;
  participatingWeight: string;
  participationMet: boolean;
  passed: boolean;
  ballots: number;
}

/** The outcomes of the community's decided proposals, newest first (at most `limit`). */
export async function proposalOutcomes(
  em: SqlEntityManager,
  communityId: string,
  limit = 50,
): Promise<ProposalOutcome[]> {
  const rows: Array<{ id: string; status: string; census_kind: string; result: unknown }> = await em.execute(
    `select id, status, census_kind, result from governance_proposals
      where community_id = ? and result is not null order by closed_at desc, id limit ?`,
    [communityId, limit],
  );
  return rows.map((row) => {
    const result = (typeof row.result === 'string' ? JSON.parse(row.result) : row.result) as {
      snapshot: { heads: string; weight: string };
      participating: { heads: string; weight: string };
      participationMet: boolean;
      passed: boolean;
      ballots: number;
    };
    return {
      proposalId: row.id,
      status: row.status,
      census: row.census_kind,
      eligibleHeads: result.snapshot.heads,
      eligibleWeight: result.snapshot.weight,
      participatingHeads: result.participating.heads,
      participatingWeight: result.participating.weight,
      participationMet: result.participationMet,
      passed: result.passed,
      ballots: result.ballots,
    };
  });
}
