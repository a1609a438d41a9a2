/**
 * Property tests of the tally rules against a slow reference written apart from them:
 * shares as reduced rational numbers, compared by the sign of their difference.
 */
import fc from 'fast-check';
import {
  ABSTAIN, ART_278_ORDINARY, ART_278_SPECIAL, NO, SIMPLE_MAJORITY, YES, YES_NO_ABSTAIN,
  customRule, decideTally, type CensusCounts, type Threshold, type TallyRule, type VoteTotal,
} from '../../src/governance/tally-rules.ts';

class Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;

  constructor(numerator: bigint, denominator: bigint) {
    if (denominator === 0n) throw new RangeError('zero denominator');
    const sign = denominator < 0n ? -1n : 1n;
    const divisor = Rational.gcd(numerator < 0n ? -numerator : numerator, denominator < 0n ? -denominator : denominator) || 1n;
    this.numerator = (sign * numerator) / divisor;
    this.denominator = (sign * denominator) / divisor;
  }

  static gcd(a: bigint, b: bigint): bigint {
    return b === 0n ? a : Rational.gcd(b, a % b);
  }

  minus(other: Rational): Rational {
    return new Rational(this.numerator * other.denominator - other.numerator * this.denominator, this.denominator * other.denominator);
  }

  /** -1, 0 or 1. */
  compare(other: Rational): number {
    const difference = this.minus(other).numerator;
    return difference > 0n ? 1 : difference < 0n ? -1 : 0;
  }
}

/** "At least" and "more than" in the words of the law, on a share of a whole. */
function referenceMeets(part: bigint, whole: bigint, threshold: Threshold | null): boolean {
  if (threshold === null) return true;
  if (whole === 0n) return false;
  const comparison = new Rational(part, whole).compare(new Rational(threshold.fraction.numerator, threshold.fraction.denominator));
  return threshold.bound === 'at-least' ? comparison >= 0 : comparison > 0;
}

function referencePasses(rule: TallyRule, census: CensusCounts, yes: VoteTotal, no: VoteTotal, abstain: VoteTotal): boolean {
  const heads = yes.heads + no.heads + abstain.heads;
  const weight = yes.weight + no.weight + abstain.weight;
  return referenceMeets(weight, census.weight, rule.participation.area)
    && referenceMeets(heads, census.heads, rule.participation.heads)
    && referenceMeets(yes.weight, weight, rule.approval.area)
    && referenceMeets(yes.heads, heads, rule.approval.heads);
}

const thresholdArbitrary: fc.Arbitrary<Threshold | null> = fc.option(
  fc.integer({ min: 1, max: 12 }).chain((denominator) => fc.record({
    bound: fc.constantFrom<'at-least' | 'more-than'>('at-least', 'more-than'),
    numerator: fc.integer({ min: 1, max: denominator }),
    denominator: fc.constant(denominator),
  })).filter(({ bound, numerator, denominator }) => !(bound === 'more-than' && numerator === denominator))
    .map(({ bound, numerator, denominator }) => ({ bound, fraction: { numerator: BigInt(numerator), denominator: BigInt(denominator) } })),
  { nil: null },
);

const ruleArbitrary: fc.Arbitrary<TallyRule> = fc.oneof(
  fc.constantFrom(ART_278_ORDINARY, ART_278_SPECIAL, SIMPLE_MAJORITY),
  fc.tuple(thresholdArbitrary, thresholdArbitrary, thresholdArbitrary, thresholdArbitrary)
    .filter(([, , approvalArea, approvalHeads]) => approvalArea !== null || approvalHeads !== null)
    .map(([area, heads, approvalArea, approvalHeads]) => customRule({ area, heads }, { area: approvalArea, heads: approvalHeads })),
);

/**
 * A census of members with weights (small, so boundaries are hit often), and each
 * member's ballot: 0 none, 1 yes, 2 no, 3 abstain.
 */
const electorateArbitrary = fc.array(
  fc.record({ weight: fc.integer({ min: 1, max: 6 }), ballot: fc.integer({ min: 0, max: 3 }) }),
  { minLength: 1, maxLength: 24 },
);

type Electorate = Array<{ weight: number; ballot: number }>;

function countElectorate(electorate: Electorate) {
  const census = { heads: BigInt(electorate.length), weight: BigInt(electorate.reduce((sum, member) => sum + member.weight, 0)) };
  const sums = [0, 1, 2, 3].map((ballot) => {
    const voters = electorate.filter((member) => member.ballot === ballot);
    return { heads: BigInt(voters.length), weight: BigInt(voters.reduce((sum, member) => sum + member.weight, 0)) };
  });
  return { census, yes: sums[1]!, no: sums[2]!, abstain: sums[3]! };
}

function passes(rule: TallyRule, electorate: Electorate): boolean {
  const { census, yes, no, abstain } = countElectorate(electorate);
  return decideTally(rule, YES_NO_ABSTAIN, census, new Map([[YES, yes], [NO, no], [ABSTAIN, abstain]])).passed;
}

describe('tally rule properties', () => {
  it('decides exactly as the rational-number reference', () => {
    fc.assert(fc.property(ruleArbitrary, electorateArbitrary, (rule, electorate) => {
      const { census, yes, no, abstain } = countElectorate(electorate);
      expect(passes(rule, electorate)).toBe(referencePasses(rule, census, yes, no, abstain));
    }), { numRuns: 1_500 });
  });

  it('never turns a pass into a fail when a non-voter votes yes', () => {
    fc.assert(fc.property(ruleArbitrary, electorateArbitrary, fc.nat(), (rule, electorate, pick) => {
      const nonVoters = electorate.map((member, index) => ({ member, index })).filter(({ member }) => member.ballot === 0);
      fc.pre(nonVoters.length > 0 && passes(rule, electorate));
      const { index } = nonVoters[pick % nonVoters.length]!;
      const after = electorate.map((member, position) => (position === index ? { ...member, ballot: 1 } : member));
      expect(passes(rule, after)).toBe(true);
    }), { numRuns: 1_500 });
  });

  it('never turns a pass into a fail when a no or an abstention becomes a yes', () => {
    fc.assert(fc.property(ruleArbitrary, electorateArbitrary, fc.nat(), (rule, electorate, pick) => {
      const others = electorate.map((member, index) => ({ member, index })).filter(({ member }) => member.ballot >= 2);
      fc.pre(others.length > 0 && passes(rule, electorate));
      const { index } = others[pick % others.length]!;
      const after = electorate.map((member, position) => (position === index ? { ...member, ballot: 1 } : member));
      expect(passes(rule, after)).toBe(true);
    }), { numRuns: 1_500 });
  });

  it('never passes a special matter that the ordinary rule would fail', () => {
    fc.assert(fc.property(electorateArbitrary, (electorate) => {
      if (passes(ART_278_SPECIAL, electorate)) expect(passes(ART_278_ORDINARY, electorate)).toBe(true);
    }), { numRuns: 1_500 });
  });
});
