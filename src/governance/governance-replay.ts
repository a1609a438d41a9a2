/**
 * Governance state as a fold over the ledger: the proposals, the ballot that counts per
 * member, the totals and the verdicts, rebuilt from the community's `governance.*`
 * entries alone (in seq order) with the same pure rules the live service uses
 * (`admitBallot`, `decideTally`). A replay must equal the live state; a result entry
 * whose totals or verdict differ from the replayed ones is reported, not trusted.
 */
import { canonicalJson } from '../ledger/entry-encoding.ts';
import { decideEncryptedTally, EncryptedBallotBox } from './encrypted-tally.ts';
import { ciphertextFromJson, ciphertextToJson, type CiphertextJson } from './encrypted-weights/elgamal.ts';
import {
  electionKeyRecord, qualifiedDealers, type DkgComplaint, type DkgRound1Message, type DkgRound2Message, type ElectionKeyRecord,
} from './encrypted-weights/election-key.ts';
import type { PartialDecryptionMessage } from './encrypted-weights/partial-decryption.ts';
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
  status: 'draft' | 'open' | 'tallying' | 'closed' | 'final';
  mode: 'anonymous' | 'named' | 'encrypted';
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
  /** Encrypted weights: the election and the homomorphic tally, folded from the entries alone. */
  encrypted: ReplayedElection | null;
}

export interface ReplayedElection {
  threshold: number;
  trusteeCount: number;
  round1: DkgRound1Message[];
  round2: DkgRound2Message[];
  complaints: DkgComplaint[];
  keyRecord: ElectionKeyRecord | null;
  /** Whether the election-key entry is the record recomputed from the published rounds. */
  keyMatches: boolean | null;
  box: EncryptedBallotBox | null;
  /** The counted ballot per nullifier: [ballot id, choice, ciphertext]. */
  current: Map<string, { ballot: string; choice: string; ciphertext: CiphertextJson }>;
  /** Whether the closing-sums entry holds the sums and heads of the replayed ballots. */
  sumsMatch: boolean | null;
  partials: PartialDecryptionMessage[];
  /**
   * The encrypted-ballot verification key the community's ledger had active at the snapshot's
   * depth when the proposal opened (folded from `zk.key.activated`), and whether the opening
   * entry pinned exactly it.
   */
  ballotKeyHash: string | null;
  ballotKeyMatches: boolean | null;
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

const ENCRYPTED_BALLOT_INSTANCE = /^encrypted-ballot-(\d+)$/u;

/**
 * Folds a community's entries, in seq order, into its proposals' state. Besides the
 * governance entries it reads `zk.key.activated` of encrypted-ballot instances (the key an
 * encrypted proposal pins at its opening); every other entry is skipped.
 */
export function replayGovernance(entries: Iterable<ReplayEntry>): Map<string, ReplayedProposal> {
  const proposals = new Map<string, ReplayedProposal>();
  /** The active encrypted-ballot key hash per depth. */
  const encryptedBallotKeys = new Map<number, { instance: string; hash: string }>();
  for (const { type, payload, time } of entries) {
    switch (type) {
      case 'zk.key.activated': {
        const instance = String(payload['instance']);
        const match = ENCRYPTED_BALLOT_INSTANCE.exec(instance);
        if (match) encryptedBallotKeys.set(Number(match[1]), { instance, hash: text(payload, 'hash') });
        break;
      }
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
          encrypted: text(payload, 'mode') === 'encrypted' ? {
            threshold: Number(payload['threshold']), trusteeCount: (payload['trustees'] as unknown[]).length, round1: [], round2: [], complaints: [],
            keyRecord: null, keyMatches: null, box: null, current: new Map(), sumsMatch: null, partials: [], ballotKeyHash: null, ballotKeyMatches: null,
          } : null,
        });
        break;
      }
      case 'governance.open': {
        const proposal = proposalOf(proposals, payload);
        proposal.status = 'open';
        proposal.setup = {
          // An encrypted proposal's ballots are anonymous; they are folded by foldElectionEntry, not admitBallot.
          mode: proposal.mode === 'encrypted' ? 'anonymous' : proposal.mode,
          form: proposal.form,
          census: { heads: BigInt(text(payload, 'heads')), weight: BigInt(text(payload, 'weight')) },
          opensAtMs: time.getTime(),
          closesAtMs: proposal.closesAtMs,
        };
        proposal.totals = tallyTotals(proposal.setup, []);
        if (proposal.encrypted) {
          proposal.encrypted.box = new EncryptedBallotBox(proposal.form);
          const active = encryptedBallotKeys.get(Number(payload['depth'])) ?? null;
          const pinned = payload['encryptedBallotKey'] as { instance?: unknown; hash?: unknown } | undefined;
          proposal.encrypted.ballotKeyHash = active?.hash ?? null;
          proposal.encrypted.ballotKeyMatches = active !== null && pinned?.hash === active.hash && pinned.instance === active.instance;
        }
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
      case 'governance.dkg-round-1':
      case 'governance.dkg-round-2':
      case 'governance.dkg-complaint':
      case 'governance.election-key':
      case 'governance.encrypted-ballot':
      case 'governance.encrypted-sums':
      case 'governance.partial-decryption':
        foldElectionEntry(proposalOf(proposals, payload), type, payload);
        break;
      case 'governance.result': {
        const proposal = proposalOf(proposals, payload);
        if (proposal.encrypted) {
          if (proposal.status !== 'tallying' || !proposal.setup) throw new GovernanceError('PROPOSAL_STATE', 'Failed to replay: an encrypted result before its closing sums');
          foldEncryptedResult(proposal, payload);
          break;
        }
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

function electionOf(proposal: ReplayedProposal): ReplayedElection {
  if (!proposal.encrypted) throw new GovernanceError('BALLOT_MODE_MISMATCH', 'Failed to replay: an election entry for a proposal without encrypted weights');
  return proposal.encrypted;
}

/** The trustees' messages, the election key (recomputed), the encrypted ballots and the closing sums. */
function foldElectionEntry(proposal: ReplayedProposal, type: string, payload: Record<string, unknown>): void {
  const election = electionOf(proposal);
  const parameters = { electionId: proposal.id, threshold: election.threshold, trusteeCount: election.trusteeCount };
  switch (type) {
    case 'governance.dkg-round-1':
      election.round1.push(payload['message'] as DkgRound1Message);
      return;
    case 'governance.dkg-round-2':
      election.round2.push(...(payload['messages'] as DkgRound2Message[]));
      return;
    case 'governance.dkg-complaint':
      election.complaints.push(payload['complaint'] as DkgComplaint);
      return;
    case 'governance.election-key': {
      election.keyRecord = payload['record'] as ElectionKeyRecord;
      try {
        const recomputed = electionKeyRecord(parameters, election.round1, qualifiedDealers(parameters, election.round1, election.round2, election.complaints));
        election.keyMatches = canonicalJson(recomputed) === canonicalJson(election.keyRecord);
      } catch {
        election.keyMatches = false;
      }
      return;
    }
    case 'governance.encrypted-ballot': {
      if (proposal.status !== 'open' || !election.box) throw new GovernanceError('PROPOSAL_STATE', 'Failed to replay: a ballot for a proposal that is not open');
      const ciphertext = payload['ciphertext'] as CiphertextJson;
      const nullifier = text(payload, 'nullifier');
      election.box.admit({ nullifier: BigInt(nullifier), choice: text(payload, 'choice'), ciphertext: ciphertextFromJson('ciphertext', ciphertext) });
      election.current.set(nullifier, { ballot: text(payload, 'ballot'), choice: text(payload, 'choice'), ciphertext });
      proposal.ballotsCast += 1;
      return;
    }
    case 'governance.encrypted-sums': {
      const box = election.box;
      if (proposal.status !== 'open' || !box) throw new GovernanceError('PROPOSAL_STATE', 'Failed to replay: closing sums for a proposal that is not open');
      const recorded = (payload['sums'] as Array<{ option: string; heads: string; ciphertext: CiphertextJson }>) ?? [];
      const expected = box.sums().map((sum, index) => ({ option: box.options[index]!, heads: box.heads(box.options[index]!).toString(), ciphertext: ciphertextToJson(sum) }));
      election.sumsMatch = canonicalJson(recorded) === canonicalJson(expected) && payload['ballots'] === proposal.ballotsCast;
      proposal.status = 'tallying';
      return;
    }
    default:
      election.partials.push(payload['message'] as PartialDecryptionMessage);
  }
}

/** The encrypted result: decrypted again from the partials it carries, each of which must be on the ledger. */
function foldEncryptedResult(proposal: ReplayedProposal, payload: Record<string, unknown>): void {
  const election = electionOf(proposal);
  const recorded = payload['encrypted'] as { sums?: unknown[]; partialDecryptions?: PartialDecryptionMessage[] } | undefined;
  const partials = recorded?.partialDecryptions ?? [];
  const published = new Set(election.partials.map((partial) => canonicalJson(partial)));
  let matches = election.keyMatches === true && election.sumsMatch === true && partials.every((partial) => published.has(canonicalJson(partial)));
  try {
    const box = election.box!;
    const tally = decideEncryptedTally(proposal.rule, proposal.form, proposal.setup!.census, box, election.keyRecord!, partials);
    proposal.totals = tally.totals;
    proposal.verdict = tally.verdict;
    const sums = box.sums().map((sum, index) => ({ option: box.options[index]!, ...ciphertextToJson(sum) }));
    matches = matches && canonicalJson(sums) === canonicalJson(recorded?.sums ?? null) && resultMatches(tally.verdict, payload) && payload['ballots'] === proposal.ballotsCast;
  } catch {
    matches = false;
  }
  proposal.resultMatches = matches;
  proposal.status = payload['final'] === true ? 'final' : 'closed';
}
