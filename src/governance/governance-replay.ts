/**
 * Governance state as a fold over the ledger: the proposals, the ballot that counts per
 * member, the totals and the verdicts, rebuilt from the community's `governance.*`
 * entries alone (in seq order) with the same pure rules the live service uses
 * (`admitBallot`, `decideTally`). A replay must equal the live state; a result entry
 * whose totals or verdict differ from the replayed ones is reported, not trusted.
 */
import { admitBallot, memberKeyOf, tallyTotals, type BallotBoxSetup, type BallotEvent, type CurrentBallot } from './ballot-rules.ts';
import { GovernanceError } from './governance-errors.ts';
import { formOf, ruleFromJson, type RuleJson } from './rule-json.ts';
import { decideTally, type BallotForm, type OptionTotals, type TallyRule, type TallyVerdict } from './tally-rules.ts';

export interface ReplayEntry {
  type: string;
  payload: Record<string, unknown>;
  time: Date;
}

export interface ReplayedProposal {
  id: string;
  status: 'draft' | 'open' | 'closed' | 'final';
  mode: 'anonymous' | 'named';
  form: BallotForm;
  rule: TallyRule;
  closesAtMs: number;
  objectionDays: number;
  setup: BallotBoxSetup | null;
  ballots: Map<string, CurrentBallot>;
  /** Every ballot entry, replaced ones included. */
  ballotsCast: number;
  totals: OptionTotals | null;
  verdict: TallyVerdict | null;
  /** Whether the result entry's totals, participation and verdict equal the replayed ones. */
  resultMatches: boolean | null;
  challenges: number;
}

function text(payload: Record<string, unknown>, key: string): string {
  const value = payload[key];
  if (typeof value !== 'string') throw new GovernanceError('INVALID_CENSUS', `Failed to replay: entry field ${key} is missing`);
  return value;
}

function proposalOf(proposals: Map<string, ReplayedProposal>, payload: Record<string, unknown>): ReplayedProposal {
  const proposal = proposals.get(text(payload, 'proposal'));
  if (!proposal) throw new GovernanceError('PROPOSAL_STATE', 'Failed to replay: an entry names a proposal not created before it');
  return proposal;
}

function ballotEvent(proposal: ReplayedProposal, payload: Record<string, unknown>): BallotEvent {
  const castAtMs = Date.parse(text(payload, 'castAt'));
  const weight = BigInt(text(payload, 'weight'));
  const choice = text(payload, 'choice');
  if (proposal.mode === 'anonymous') return { kind: 'anonymous', nullifier: BigInt(text(payload, 'nullifier')), choice, weight, castAtMs };
  const channel = text(payload, 'channel');
  return { kind: 'named', memberId: text(payload, 'member'), channel: channel === 'paper' ? 'paper' : 'online', choice, weight, castAtMs };
}

function resultMatches(verdict: TallyVerdict, payload: Record<string, unknown>): boolean {
  const totals = (payload['totals'] as Array<{ option: string; heads: string; weight: string }> | undefined) ?? [];
  const recorded = totals.map((total) => [total.option, total.heads, total.weight].join(' '));
  const expected = verdict.options.map((option) => [option.option, option.heads.toString(), option.weight.toString()].join(' '));
  return (
    recorded.join('\n') === expected.join('\n') &&
    payload['participationMet'] === verdict.participation.met &&
    payload['passed'] === verdict.passed &&
    (payload['adopted'] ?? null) === verdict.adopted
  );
}

/** Folds a community's entries, in seq order, into its proposals' state. Non-governance entries are skipped. */
export function replayGovernance(entries: Iterable<ReplayEntry>): Map<string, ReplayedProposal> {
  const proposals = new Map<string, ReplayedProposal>();
  for (const { type, payload, time } of entries) {
    switch (type) {
      case 'governance.proposal': {
        const options = (payload['options'] as string[]).filter((option) => option !== 'abstain').map((id) => ({ id, label: id }));
        const form = formOf(text(payload, 'form'), options, (payload['options'] as string[]).includes('abstain'));
        proposals.set(text(payload, 'proposal'), {
          id: text(payload, 'proposal'),
          status: 'draft',
          mode: text(payload, 'mode') as ReplayedProposal['mode'],
          form,
          rule: ruleFromJson(payload['rule'] as unknown as RuleJson),
          closesAtMs: Date.parse(text(payload, 'closesAt')),
          objectionDays: Number(payload['objectionDays']),
          setup: null,
          ballots: new Map(),
          ballotsCast: 0,
          totals: null,
          verdict: null,
          resultMatches: null,
          challenges: 0,
        });
        break;
      }
      case 'governance.open': {
        const proposal = proposalOf(proposals, payload);
        proposal.status = 'open';
        proposal.setup = {
          mode: proposal.mode,
          form: proposal.form,
          census: { heads: BigInt(text(payload, 'heads')), weight: BigInt(text(payload, 'weight')) },
          opensAtMs: time.getTime(),
          closesAtMs: proposal.closesAtMs,
        };
        proposal.totals = tallyTotals(proposal.setup, []);
        break;
      }
      case 'governance.ballot': {
        const proposal = proposalOf(proposals, payload);
        if (proposal.status !== 'open' || !proposal.setup) throw new GovernanceError('PROPOSAL_STATE', 'Failed to replay: a ballot for a proposal that is not open');
        const event = ballotEvent(proposal, payload);
        const { ballot } = admitBallot(proposal.setup, proposal.ballots.get(memberKeyOf(event)), event);
        proposal.ballots.set(ballot.memberKey, ballot);
        proposal.ballotsCast += 1;
        proposal.totals = tallyTotals(proposal.setup, proposal.ballots.values());
        break;
      }
      case 'governance.result': {
        const proposal = proposalOf(proposals, payload);
        if (proposal.status !== 'open' || !proposal.setup) throw new GovernanceError('PROPOSAL_STATE', 'Failed to replay: a result for a proposal that is not open');
        proposal.verdict = decideTally(proposal.rule, proposal.form, proposal.setup.census, proposal.totals!);
        proposal.resultMatches = resultMatches(proposal.verdict, payload) && payload['ballots'] === proposal.ballotsCast;
        proposal.status = payload['final'] === true ? 'final' : 'closed';
        break;
      }
      case 'governance.challenge':
        proposalOf(proposals, payload).challenges += 1;
        break;
      case 'governance.final':
        proposalOf(proposals, payload).status = 'final';
        break;
      default:
        break;
    }
  }
  return proposals;
}
