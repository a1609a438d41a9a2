import { art278Matter, art278RuleFor } from '../../src/governance/art-278.ts';
import { GovernanceError } from '../../src/governance/governance-errors.ts';
import {
  ABSTAIN, ART_278_ORDINARY, ART_278_SPECIAL, MAX_CHOICE_OPTIONS, MAX_THRESHOLD_DENOMINATOR, NO, SIMPLE_MAJORITY, YES, YES_NO_ABSTAIN,
  atLeast, checkThreshold, customRule, decideTally, moreThan, requireRuleFitsForm,
  type BallotForm, type CensusCounts, type TallyRule, type VoteTotal,
} from '../../src/governance/tally-rules.ts';

// A census of 30 owners holding 9,000.00 m² (weights in 0.01 m²).
const CENSUS: CensusCounts = { heads: 30n, weight: 900_000n };

function total(heads: number, weight: number): VoteTotal {
  return { heads: BigInt(heads), weight: BigInt(weight) };
}

function yesNo(yes: VoteTotal, no: VoteTotal, abstain: VoteTotal = total(0, 0)): Map<string, VoteTotal> {
  return new Map([[YES, yes], [NO, no], [ABSTAIN, abstain]]);
}

function expectGovernanceError(run: () => unknown, code: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GovernanceError);
    expect((error as GovernanceError).code).toBe(code);
    return;
  }
  throw new Error(`expected a GovernanceError ${code}`);
}

describe('Art. 278 matters', () => {
  it('numbers the matters 1 to 9 as the article does, items 6–8 special', () => {
    expect(art278Matter(5)).toEqual({ item: 5, text: '使用建筑物及其附属设施的维修资金', kind: 'ordinary' });
    expect(art278Matter(6)).toEqual({ item: 6, text: '筹集建筑物及其附属设施的维修资金', kind: 'special' });
    expect(art278Matter(7).text).toBe('改建、重建建筑物及其附属设施');
    expect(art278Matter(8).text).toBe('改变共有部分的用途或者利用共有部分从事经营活动');
    expect([1, 2, 3, 4, 5, 9].map((item) => art278Matter(item).kind)).toEqual(Array(6).fill('ordinary'));
    expect([6, 7, 8].map((item) => art278RuleFor(item))).toEqual([ART_278_SPECIAL, ART_278_SPECIAL, ART_278_SPECIAL]);
    expect(art278RuleFor(5)).toBe(ART_278_ORDINARY);
  });

  it('refuses an item number outside 1 to 9', () => {
    for (const item of [0, 10, 5.5, -1, Number.NaN]) expectGovernanceError(() => art278Matter(item), 'INVALID_RULE');
  });
});

describe('Art. 278 participation (quorum)', () => {
  const yes = total(20, 600_000);

  it('is met by exactly 2/3 of the area and exactly 2/3 of the owners', () => {
    const verdict = decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(yes, total(0, 0)));
    expect(verdict.participation.area).toMatchObject({ value: 600_000n, of: 900_000n, met: true });
    expect(verdict.participation.heads).toMatchObject({ value: 20n, of: 30n, met: true });
    expect(verdict.participation.area!.explanation).toBe('600000 × 3 = 1800000 = 2 × 900000 = 1800000: at least 2/3 of 900000, met');
    expect(verdict.passed).toBe(true);
  });

  it('is not met with 0.01 m² less than 2/3 of the area', () => {
    const verdict = decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(total(20, 599_999), total(0, 0)));
    expect(verdict.participation.area!.met).toBe(false);
    expect(verdict.participation.heads!.met).toBe(true);
    expect(verdict.participation.met).toBe(false);
    expect(verdict.passed).toBe(false);
    expect(verdict.adopted).toBeNull();
  });

  it('is not met with one owner less than 2/3 of the owners', () => {
    const verdict = decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(total(19, 700_000), total(0, 0)));
    expect(verdict.participation.area!.met).toBe(true);
    expect(verdict.participation.heads!.met).toBe(false);
    expect(verdict.passed).toBe(false);
  });

  it('counts abstentions toward participation but not toward approval', () => {
    // 17 owners vote yes or no and 3 abstain: participation is 20 heads, 600,000.
    const verdict = decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(total(10, 300_000), total(7, 210_000), total(3, 90_000)));
    expect(verdict.participation.met).toBe(true);
    expect(verdict.participating).toEqual(total(20, 600_000));
    // Yes has 10 of 20 heads and 300,000 of 600,000: exactly half, not more than half.
    expect(verdict.options.find((option) => option.option === YES)!.approval!.met).toBe(false);
    expect(verdict.passed).toBe(false);
    expect(verdict.options.find((option) => option.option === ABSTAIN)!.approval).toBeNull();
  });
});

describe('Art. 278 ordinary approval (more than half of both)', () => {
  it('fails at exactly half of the participating area and heads', () => {
    const verdict = decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(total(10, 300_000), total(10, 300_000)));
    const approval = verdict.options[0]!.approval!;
    expect(approval.area!.explanation).toBe('300000 × 2 = 600000 = 1 × 600000 = 600000: more than 1/2 of 600000, not met');
    expect(approval.heads!.met).toBe(false);
    expect(verdict.passed).toBe(false);
  });

  it('passes with one owner and 0.01 m² more than half', () => {
    const verdict = decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(total(11, 300_001), total(9, 299_999)));
    expect(verdict.passed).toBe(true);
    expect(verdict.adopted).toBe(YES);
  });

  it('fails with exactly half of the heads even with most of the area', () => {
    const verdict = decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(total(10, 500_000), total(10, 100_000)));
    expect(verdict.options[0]!.approval).toMatchObject({ area: { met: true }, heads: { met: false }, met: false });
    expect(verdict.passed).toBe(false);
  });

  it('fails with an area majority but no head majority', () => {
    const verdict = decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(total(9, 400_000), total(11, 200_000)));
    expect(verdict.options[0]!.approval).toMatchObject({ area: { met: true }, heads: { met: false } });
    expect(verdict.passed).toBe(false);
  });

  it('fails with a head majority but no area majority', () => {
    const verdict = decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(total(11, 200_000), total(9, 400_000)));
    expect(verdict.options[0]!.approval).toMatchObject({ area: { met: false }, heads: { met: true } });
    expect(verdict.passed).toBe(false);
  });
});

describe('Art. 278 special approval (at least 3/4 of both, items 6–8)', () => {
  const participating = { heads: 20, weight: 600_000 };

  it('passes at exactly 3/4 of the participating area and heads', () => {
    const verdict = decideTally(art278RuleFor(7), YES_NO_ABSTAIN, CENSUS, yesNo(total(15, 450_000), total(5, 150_000)));
    expect(verdict.options[0]!.approval!.area!.explanation).toBe('450000 × 4 = 1800000 = 3 × 600000 = 1800000: at least 3/4 of 600000, met');
    expect(verdict.passed).toBe(true);
  });

  it('fails with 0.01 m² less than 3/4 of the area', () => {
    const verdict = decideTally(ART_278_SPECIAL, YES_NO_ABSTAIN, CENSUS, yesNo(total(15, 449_999), total(5, participating.weight - 449_999)));
    expect(verdict.options[0]!.approval).toMatchObject({ area: { met: false }, heads: { met: true } });
    expect(verdict.passed).toBe(false);
  });

  it('fails with one owner less than 3/4 of the heads', () => {
    const verdict = decideTally(ART_278_SPECIAL, YES_NO_ABSTAIN, CENSUS, yesNo(total(14, 500_000), total(6, 100_000)));
    expect(verdict.options[0]!.approval).toMatchObject({ area: { met: true }, heads: { met: false } });
    expect(verdict.passed).toBe(false);
  });

  it('is stricter than the ordinary rule on the same ballots', () => {
    const totals = yesNo(total(12, 400_000), total(8, 200_000));
    expect(decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, totals).passed).toBe(true);
    expect(decideTally(ART_278_SPECIAL, YES_NO_ABSTAIN, CENSUS, totals).passed).toBe(false);
  });
});

describe('simple majority and custom thresholds', () => {
  it('simple majority: more than half of participating heads, no quorum, area ignored', () => {
    const small = { heads: 100n, weight: 100n };
    expect(decideTally(SIMPLE_MAJORITY, YES_NO_ABSTAIN, small, yesNo(total(2, 2), total(1, 1))).passed).toBe(true);
    expect(decideTally(SIMPLE_MAJORITY, YES_NO_ABSTAIN, small, yesNo(total(2, 2), total(1, 1), total(1, 1))).passed).toBe(false);
    expect(decideTally(SIMPLE_MAJORITY, YES_NO_ABSTAIN, CENSUS, yesNo(total(2, 10), total(1, 500_000))).passed).toBe(true);
  });

  it('includes the bound for at-least and excludes it for more-than', () => {
    const inclusive = customRule({ area: null, heads: atLeast(1n, 2n) }, { area: null, heads: atLeast(3n, 5n) });
    const exclusive = customRule({ area: null, heads: moreThan(1n, 2n) }, { area: null, heads: moreThan(3n, 5n) });
    // 15 of 30 heads take part (exactly 1/2); 9 of 15 say yes (exactly 3/5).
    const totals = yesNo(total(9, 9), total(6, 6));
    expect(decideTally(inclusive, YES_NO_ABSTAIN, CENSUS, totals).passed).toBe(true);
    const verdict = decideTally(exclusive, YES_NO_ABSTAIN, CENSUS, totals);
    expect(verdict.participation.met).toBe(false);
    expect(verdict.options[0]!.approval!.met).toBe(false);
  });

  it('refuses thresholds that are out of range or never met', () => {
    const bad: Array<[string, () => unknown]> = [
      ['zero denominator', () => customRule({ area: null, heads: null }, { area: atLeast(1n, 0n), heads: null })],
      ['numerator above denominator', () => customRule({ area: null, heads: null }, { area: atLeast(4n, 3n), heads: null })],
      ['zero threshold', () => customRule({ area: atLeast(0n, 3n), heads: null }, { area: moreThan(1n, 2n), heads: null })],
      ['more than the whole', () => customRule({ area: null, heads: null }, { area: moreThan(1n, 1n), heads: null })],
      ['denominator above the limit', () => customRule({ area: null, heads: null }, { area: moreThan(1n, MAX_THRESHOLD_DENOMINATOR + 1n), heads: null })],
      ['no approval test', () => customRule({ area: atLeast(1n, 2n), heads: null }, { area: null, heads: null })],
      ['a number, not a bigint', () => customRule({ area: null, heads: null }, { area: { bound: 'at-least', fraction: { numerator: 1 as unknown as bigint, denominator: 2n } }, heads: null })],
      ['an unknown bound', () => customRule({ area: null, heads: null }, { area: { bound: 'exactly' as 'at-least', fraction: { numerator: 1n, denominator: 2n } }, heads: null })],
    ];
    for (const [, run] of bad) expectGovernanceError(run, 'INVALID_RULE');
    expect(customRule({ area: null, heads: null }, { area: moreThan(MAX_THRESHOLD_DENOMINATOR - 1n, MAX_THRESHOLD_DENOMINATOR), heads: null }).name).toBe('custom');
  });

  it('keeps the law constants frozen', () => {
    expect(() => { (ART_278_SPECIAL.approval.area!.fraction as { numerator: bigint }).numerator = 1n; }).toThrow(TypeError);
    expect(ART_278_SPECIAL.approval.area!.fraction.numerator).toBe(3n);
  });

  it('meets nothing when nobody took part', () => {
    expect(checkThreshold(0n, 0n, atLeast(1n, 2n)).met).toBe(false);
    const verdict = decideTally(SIMPLE_MAJORITY, YES_NO_ABSTAIN, CENSUS, new Map());
    expect(verdict.participating).toEqual(total(0, 0));
    expect(verdict.passed).toBe(false);
  });
});

describe('choices polls', () => {
  const form: BallotForm = { kind: 'choices', options: ['company-a', 'company-b', 'company-c'], abstain: true };

  it('adopts the option that alone meets the thresholds against all participants', () => {
    const totals = new Map([['company-a', total(11, 310_000)], ['company-b', total(6, 200_000)], ['company-c', total(2, 50_000)], [ABSTAIN, total(1, 40_000)]]);
    const verdict = decideTally(ART_278_ORDINARY, form, CENSUS, totals);
    expect(verdict.adopted).toBe('company-a');
    expect(verdict.options.map((option) => option.approval?.met ?? null)).toEqual([true, false, false, null]);
  });

  it('adopts nothing when the plurality option falls short of a majority', () => {
    const totals = new Map([['company-a', total(9, 290_000)], ['company-b', total(8, 200_000)], ['company-c', total(3, 110_000)]]);
    const verdict = decideTally(ART_278_ORDINARY, form, CENSUS, totals);
    expect(verdict.adopted).toBeNull();
    expect(verdict.passed).toBe(false);
  });

  it('refuses a rule under which two options could both be adopted', () => {
    const loose = customRule({ area: null, heads: null }, { area: atLeast(1n, 2n), heads: atLeast(1n, 2n) });
    expectGovernanceError(() => requireRuleFitsForm(loose, form), 'INVALID_RULE');
    expectGovernanceError(() => decideTally(loose, form, CENSUS, new Map()), 'INVALID_RULE');
    expect(() => requireRuleFitsForm(loose, YES_NO_ABSTAIN)).not.toThrow();
    const strict = customRule({ area: null, heads: null }, { area: atLeast(1n, 2n), heads: moreThan(1n, 2n) });
    expect(() => requireRuleFitsForm(strict, form)).not.toThrow();
  });

  it('refuses malformed option lists', () => {
    const options = (list: string[]): BallotForm => ({ kind: 'choices', options: list, abstain: false });
    for (const list of [['only'], ['a', 'a'], ['a', 'Big'], ['a', ABSTAIN], ['a', 'x'.repeat(33)], Array.from({ length: MAX_CHOICE_OPTIONS + 1 }, (_, index) => `o${index}`)]) {
      expectGovernanceError(() => decideTally(ART_278_ORDINARY, options(list), CENSUS, new Map()), 'INVALID_BALLOT_FORM');
    }
    expect(decideTally(ART_278_ORDINARY, options(Array.from({ length: MAX_CHOICE_OPTIONS }, (_, index) => `o${index}`)), CENSUS, new Map()).options).toHaveLength(MAX_CHOICE_OPTIONS);
  });
});

describe('tally input checks', () => {
  it('refuses totals above the census, unknown options and impossible weights', () => {
    expectGovernanceError(() => decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(total(31, 31), total(0, 0))), 'TALLY_EXCEEDS_CENSUS');
    expectGovernanceError(() => decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(total(20, 900_001), total(0, 0))), 'TALLY_EXCEEDS_CENSUS');
    expectGovernanceError(() => decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, new Map([['maybe', total(1, 1)]])), 'UNKNOWN_CHOICE');
    expectGovernanceError(() => decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(total(2, 1), total(0, 0))), 'INVALID_WEIGHT');
    expectGovernanceError(() => decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, CENSUS, yesNo(total(-1, 0), total(0, 0))), 'INVALID_WEIGHT');
  });

  it('refuses a census with no heads or less weight than heads', () => {
    for (const census of [{ heads: 0n, weight: 0n }, { heads: 3n, weight: 2n }, { heads: 1n, weight: 10n ** 18n }]) {
      expectGovernanceError(() => decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, census, new Map()), 'INVALID_CENSUS');
    }
  });

  it('states the rule, census and totals it decided on', () => {
    const rule: TallyRule = ART_278_ORDINARY;
    const verdict = decideTally(rule, YES_NO_ABSTAIN, CENSUS, yesNo(total(11, 300_001), total(9, 299_999)));
    expect(verdict).toMatchObject({ rule, form: 'yes-no-abstain', census: CENSUS, participating: total(20, 600_000), adopted: YES, passed: true });
    expect(verdict.options.map((option) => option.option)).toEqual([YES, NO, ABSTAIN]);
  });
});
