import fc from 'fast-check';
import {
  MAX_MEMBER_ID_LENGTH, MAX_MEMBER_WEIGHT, admitBallot, applyAdmission, memberKeyOf, replayBallots, tallyTotals,
  type BallotBoxSetup, type BallotEvent, type CurrentBallot,
} from '../../src/governance/ballot-rules.ts';
import { GovernanceError } from '../../src/governance/governance-errors.ts';
import { ABSTAIN, ART_278_ORDINARY, NO, YES, YES_NO_ABSTAIN, decideTally, type OptionTotals } from '../../src/governance/tally-rules.ts';
import { SNARK_SCALAR_FIELD } from '../../src/zk/field.ts';

const OPENS = Date.UTC(2026, 10, 1);
const CLOSES = Date.UTC(2026, 10, 15);
const census = { heads: 30n, weight: 900_000n };
const named: BallotBoxSetup = { mode: 'named', form: YES_NO_ABSTAIN, census, opensAtMs: OPENS, closesAtMs: CLOSES };
const anonymous: BallotBoxSetup = { ...named, mode: 'anonymous' };

function online(memberId: string, choice: string, weight: bigint, castAtMs = OPENS + 1_000): BallotEvent {
  return { kind: 'named', memberId, channel: 'online', choice, weight, castAtMs };
}

function paper(memberId: string, choice: string, weight: bigint, castAtMs = OPENS + 2_000): BallotEvent {
  return { kind: 'named', memberId, channel: 'paper', choice, weight, castAtMs };
}

function secret(nullifier: bigint, choice: string, weight: bigint, castAtMs = OPENS + 1_000): BallotEvent {
  return { kind: 'anonymous', nullifier, choice, weight, castAtMs };
}

function totalsOf(totals: OptionTotals): Record<string, [bigint, bigint]> {
  return Object.fromEntries([...totals].map(([option, total]) => [option, [total.heads, total.weight]]));
}

function expectRefused(run: () => unknown, code: string): void {
  expect(run).toThrow(GovernanceError);
  try {
    run();
  } catch (error) {
    expect((error as GovernanceError).code).toBe(code);
  }
}

describe('ballot rules', () => {
  it('counts one ballot per member: the last one before the close', () => {
    const box = replayBallots(anonymous, [
      secret(11n, YES, 9_000n, OPENS),
      secret(12n, NO, 12_000n),
      secret(11n, NO, 9_000n, OPENS + 5_000),
      secret(11n, ABSTAIN, 9_000n, CLOSES - 1),
    ]);
    expect(box.ballots.size).toBe(2);
    expect(box.ballots.get('nullifier:11')).toMatchObject({ choice: ABSTAIN, weight: 9_000n });
    expect(totalsOf(box.totals)).toEqual({ [YES]: [0n, 0n], [NO]: [1n, 12_000n], [ABSTAIN]: [1n, 9_000n] });
  });

  it('counts an owner of three units once by head with the sum of their areas', () => {
    // 89.50 + 120.25 + 64.00 m²: the census leaf's weight is the sum, 27,375.
    const weight = 8_950n + 12_025n + 6_400n;
    const box = replayBallots(named, [online('owner-a', YES, weight), online('owner-b', YES, 10_000n)]);
    expect(totalsOf(box.totals)[YES]).toEqual([2n, 37_375n]);
  });

  it('lets a paper ballot supersede the online ballot, and not the reverse', () => {
    const box = replayBallots(named, [online('owner-a', YES, 10_000n), paper('owner-a', NO, 10_000n)]);
    expect(box.ballots.get('member:owner-a')).toMatchObject({ channel: 'paper', choice: NO });
    expectRefused(() => admitBallot(named, box.ballots.get('member:owner-a'), online('owner-a', YES, 10_000n, OPENS + 3_000)), 'SUPERSEDED_BY_PAPER');
    // The committee may correct its own entry: a later paper ballot replaces the earlier.
    const corrected = admitBallot(named, box.ballots.get('member:owner-a'), paper('owner-a', ABSTAIN, 10_000n, OPENS + 4_000));
    expect(corrected.ballot.choice).toBe(ABSTAIN);
    expect(corrected.replaced?.choice).toBe(NO);
  });

  it('accepts nothing before the opening or at or after the close', () => {
    expectRefused(() => admitBallot(named, undefined, online('owner-a', YES, 1n, OPENS - 1)), 'PROPOSAL_NOT_OPEN');
    expectRefused(() => admitBallot(named, undefined, online('owner-a', YES, 1n, CLOSES)), 'PROPOSAL_CLOSED');
    expectRefused(() => admitBallot(named, undefined, paper('owner-a', YES, 1n, CLOSES + 1)), 'PROPOSAL_CLOSED');
    expect(admitBallot(named, undefined, online('owner-a', YES, 1n, OPENS)).ballot.castAtMs).toBe(OPENS);
    expect(admitBallot(named, undefined, online('owner-a', YES, 1n, CLOSES - 1)).ballot.castAtMs).toBe(CLOSES - 1);
    expectRefused(() => replayBallots(named, [online('owner-a', YES, 1n), online('owner-a', NO, 1n, CLOSES)]), 'PROPOSAL_CLOSED');
  });

  it('refuses a ballot of the wrong mode, a paper ballot in an anonymous proposal and an unknown choice', () => {
    expectRefused(() => admitBallot(named, undefined, secret(5n, YES, 1n)), 'BALLOT_MODE_MISMATCH');
    expectRefused(() => admitBallot(anonymous, undefined, online('owner-a', YES, 1n)), 'BALLOT_MODE_MISMATCH');
    expectRefused(() => admitBallot(anonymous, undefined, paper('owner-a', YES, 1n)), 'BALLOT_MODE_MISMATCH');
    expectRefused(() => admitBallot(named, undefined, online('owner-a', 'maybe', 1n)), 'UNKNOWN_CHOICE');
  });

  it('refuses weights outside [1, MAX_MEMBER_WEIGHT] and a weight that changes between ballots', () => {
    expectRefused(() => admitBallot(named, undefined, online('owner-a', YES, 0n)), 'INVALID_WEIGHT');
    expectRefused(() => admitBallot(named, undefined, online('owner-a', YES, MAX_MEMBER_WEIGHT + 1n)), 'INVALID_WEIGHT');
    expectRefused(() => admitBallot(named, undefined, online('owner-a', YES, 5 as unknown as bigint)), 'INVALID_WEIGHT');
    expect(admitBallot(named, undefined, online('owner-a', YES, MAX_MEMBER_WEIGHT)).ballot.weight).toBe(MAX_MEMBER_WEIGHT);
    const first = admitBallot(anonymous, undefined, secret(7n, YES, 9_000n)).ballot;
    expectRefused(() => admitBallot(anonymous, first, secret(7n, NO, 9_001n)), 'WEIGHT_CHANGED');
  });

  it('refuses malformed member keys', () => {
    expectRefused(() => memberKeyOf(secret(0n, YES, 1n)), 'INVALID_MEMBER');
    expectRefused(() => memberKeyOf(secret(SNARK_SCALAR_FIELD, YES, 1n)), 'INVALID_MEMBER');
    expectRefused(() => memberKeyOf(online('', YES, 1n)), 'INVALID_MEMBER');
    expectRefused(() => memberKeyOf(online('a'.repeat(MAX_MEMBER_ID_LENGTH + 1), YES, 1n)), 'INVALID_MEMBER');
    expectRefused(() => memberKeyOf(online('王先生', YES, 1n)), 'INVALID_MEMBER');
    expect(memberKeyOf(online('a'.repeat(MAX_MEMBER_ID_LENGTH), YES, 1n))).toBe(`member:${'a'.repeat(MAX_MEMBER_ID_LENGTH)}`);
    const other = admitBallot(named, undefined, online('owner-b', YES, 1n)).ballot;
    expectRefused(() => admitBallot(named, other, online('owner-a', YES, 1n)), 'INVALID_MEMBER');
  });

  it('refuses a voting window that closes before it opens', () => {
    expectRefused(() => replayBallots({ ...named, closesAtMs: OPENS }, []), 'INVALID_WINDOW');
    expectRefused(() => replayBallots({ ...named, opensAtMs: 0.5 }, []), 'INVALID_WINDOW');
  });

  it('refuses ballots that add up to more than the pinned census', () => {
    const small: BallotBoxSetup = { ...named, census: { heads: 2n, weight: 20_000n } };
    expectRefused(() => replayBallots(small, [online('a', YES, 1n), online('b', YES, 1n), online('c', YES, 1n)]), 'TALLY_EXCEEDS_CENSUS');
    expectRefused(() => replayBallots(small, [online('a', YES, 15_000n), online('b', YES, 5_001n)]), 'TALLY_EXCEEDS_CENSUS');
    expect(totalsOf(replayBallots(small, [online('a', YES, 15_000n), online('b', NO, 5_000n)]).totals)[YES]).toEqual([1n, 15_000n]);
  });

  it('feeds the tally rules: the replayed totals decide the proposal', () => {
    const events = Array.from({ length: 20 }, (_, index) => online(`owner-${index}`, index < 11 ? YES : NO, 30_000n));
    const box = replayBallots(named, events);
    expect(decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, census, box.totals)).toMatchObject({ passed: true, participating: { heads: 20n, weight: 600_000n } });
  });
});

describe('ballot rule properties', () => {
  const eventArbitrary = fc.record({
    member: fc.integer({ min: 0, max: 7 }),
    choice: fc.constantFrom(YES, NO, ABSTAIN),
    channel: fc.constantFrom<'online' | 'paper'>('online', 'paper'),
    offsetMs: fc.integer({ min: -10, max: CLOSES - OPENS + 10 }),
  });
  // Each member's weight is fixed by the census; member m weighs (m + 1) × 1,000.
  const toEvent = ({ member, choice, channel, offsetMs }: { member: number; choice: string; channel: 'online' | 'paper'; offsetMs: number }): BallotEvent =>
    ({ kind: 'named', memberId: `m${member}`, channel, choice, weight: BigInt((member + 1) * 1_000), castAtMs: OPENS + offsetMs });

  it('gives the same totals live (admit one by one, refused ballots dropped) as a replay of the admitted ballots', () => {
    fc.assert(fc.property(fc.array(eventArbitrary, { maxLength: 40 }), (drawn) => {
      const current = new Map<string, CurrentBallot>();
      let liveTotals = tallyTotals(named, []);
      const admitted: BallotEvent[] = [];
      for (const event of drawn.map(toEvent)) {
        try {
          const admission = admitBallot(named, current.get(memberKeyOf(event)), event);
          current.set(admission.ballot.memberKey, admission.ballot);
          liveTotals = applyAdmission(named, liveTotals, admission);
          admitted.push(event);
        } catch (error) {
          if (!(error instanceof GovernanceError)) throw error;
        }
      }
      expect(totalsOf(replayBallots(named, admitted).totals)).toEqual(totalsOf(liveTotals));
    }), { numRuns: 500 });
  });

  it('counts, per member, the last admitted ballot and never an online one after paper', () => {
    fc.assert(fc.property(fc.array(eventArbitrary, { maxLength: 40 }), (drawn) => {
      const events = drawn.map(toEvent).filter((event) => event.castAtMs >= OPENS && event.castAtMs < CLOSES);
      // The reference: walk the events and keep, per member, the last one not blocked by paper.
      const expected = new Map<string, { choice: string; paper: boolean }>();
      const admitted: BallotEvent[] = [];
      for (const event of events) {
        if (event.kind !== 'named') continue;
        const earlier = expected.get(event.memberId);
        if (earlier?.paper && event.channel === 'online') continue;
        expected.set(event.memberId, { choice: event.choice, paper: event.channel === 'paper' });
        admitted.push(event);
      }
      const box = replayBallots(named, admitted);
      expect(box.ballots.size).toBe(expected.size);
      for (const [memberId, { choice }] of expected) expect(box.ballots.get(`member:${memberId}`)?.choice).toBe(choice);
      const heads = [...box.totals.values()].reduce((sum, total) => sum + total.heads, 0n);
      expect(heads).toBe(BigInt(expected.size));
    }), { numRuns: 500 });
  });
});
