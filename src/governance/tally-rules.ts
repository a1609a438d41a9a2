/**
 * Tally rules: when a proposal's ballots carry it, in exact integer arithmetic.
 *
 * Every test is "value / total compared with numerator / denominator", decided by cross
 * multiplication of bigints (value × denominator against numerator × total): no floating
 * point and no division, so 2/3 of 10,050 m² is never rounded. The words of the law map
 * to two bounds (Civil Code Art. 1259: "以上" includes the number itself, "超过" does not):
 *
 *   "at least" (以上)         value × d ≥ n × total
 *   "more than" (过半数, 超过) value × d > n × total
 *
 * Weights are census weights: an owner's total exclusive floor area in 0.01 m² (several
 * units count once by head, with the sum of their areas). Abstentions are ballots: they
 * count toward participation (heads and area) and never toward approval.
 *
 * Ballot forms:
 * - yes-no-abstain: the proposal passes when participation is met and "yes" meets the
 *   approval thresholds against all participants (abstentions included).
 * - choices: each option is tested against all participants like "yes" above; an option
 *   is adopted when participation is met and it meets the approval thresholds. The rule
 *   must make two options unable to both meet them (a majority threshold on at least one
 *   dimension), so at most one option is adopted; a plurality below the thresholds adopts
 *   nothing. "abstain", when offered, is a participating ballot that supports no option.
 */
import { GovernanceError } from './governance-errors.ts';

/** The largest denominator a custom threshold may use (1/10,000 granularity is plenty for a vote). */
export const MAX_THRESHOLD_DENOMINATOR = 10_000n;
/** The most options a choices poll may offer (abstain not counted). */
export const MAX_CHOICE_OPTIONS = 20;
/** Option ids are short machine names; labels live with the proposal, not here. */
export const OPTION_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** The most members a census snapshot may count. */
export const MAX_CENSUS_HEADS = 10_000_000n;
/** The largest total weight a census snapshot may have, in 0.01 m² (10^15 m² is far past any community). */
export const MAX_CENSUS_TOTAL_WEIGHT = 10n ** 17n;

export const YES = 'yes';
export const NO = 'no';
export const ABSTAIN = 'abstain';

export interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

/** 'at-least' includes the bound (以上); 'more-than' excludes it (过半数, 超过). */
export type Bound = 'at-least' | 'more-than';

export interface Threshold {
  bound: Bound;
  fraction: Fraction;
}

/** A test on the area (weight) and on the heads; null means that dimension is not tested. */
export interface DimensionThresholds {
  area: Threshold | null;
  heads: Threshold | null;
}

export type TallyRuleName = 'art-278-ordinary' | 'art-278-special' | 'simple-majority' | 'custom';

export interface TallyRule {
  name: TallyRuleName;
  /** Participating ballots (abstentions included) against the pinned census totals. */
  participation: DimensionThresholds;
  /** Ballots for the option against the participating totals. */
  approval: DimensionThresholds;
}

/** Freezes a rule and its thresholds, so a shared constant cannot be altered by a caller. */
function freezeRule(rule: TallyRule): TallyRule {
  for (const stage of [rule.participation, rule.approval]) {
    for (const threshold of [stage.area, stage.heads]) if (threshold) Object.freeze(Object.freeze(threshold).fraction);
    Object.freeze(stage);
  }
  return Object.freeze(rule);
}

export function atLeast(numerator: bigint, denominator: bigint): Threshold {
  return { bound: 'at-least', fraction: { numerator, denominator } };
}

export function moreThan(numerator: bigint, denominator: bigint): Threshold {
  return { bound: 'more-than', fraction: { numerator, denominator } };
}

/**
 * Art. 278, items 1–5 and 9: participation of owners holding at least 2/3 of the area and
 * at least 2/3 of the owners; approval by more than half of the participating area and
 * more than half of the participating owners.
 */
export const ART_278_ORDINARY: TallyRule = freezeRule({
  name: 'art-278-ordinary',
  participation: { area: atLeast(2n, 3n), heads: atLeast(2n, 3n) },
  approval: { area: moreThan(1n, 2n), heads: moreThan(1n, 2n) },
});

/** Art. 278, items 6–8: the same participation; approval by at least 3/4 of both. */
export const ART_278_SPECIAL: TallyRule = freezeRule({
  name: 'art-278-special',
  participation: { area: atLeast(2n, 3n), heads: atLeast(2n, 3n) },
  approval: { area: atLeast(3n, 4n), heads: atLeast(3n, 4n) },
});

/**
 * For polls outside Art. 278: no participation test; more than half of the participating
 * heads (abstentions included), one member one vote, area not tested.
 */
export const SIMPLE_MAJORITY: TallyRule = freezeRule({
  name: 'simple-majority',
  participation: { area: null, heads: null },
  approval: { area: null, heads: moreThan(1n, 2n) },
});

function requireThreshold(parameter: string, threshold: Threshold | null): void {
  if (threshold === null) return;
  const { bound, fraction } = threshold;
  if (bound !== 'at-least' && bound !== 'more-than') throw new GovernanceError('INVALID_RULE', `Invalid ${parameter}: bound must be at-least or more-than`);
  const { numerator, denominator } = fraction;
  if (typeof numerator !== 'bigint' || typeof denominator !== 'bigint') {
    throw new GovernanceError('INVALID_RULE', `Invalid ${parameter}: numerator and denominator must be integers`);
  }
  if (denominator < 1n || denominator > MAX_THRESHOLD_DENOMINATOR) {
    throw new GovernanceError('INVALID_RULE', `Invalid ${parameter}: denominator must be 1 to ${MAX_THRESHOLD_DENOMINATOR}`);
  }
  if (numerator < 1n || numerator > denominator) {
    throw new GovernanceError('INVALID_RULE', `Invalid ${parameter}: numerator must be 1 to the denominator (no threshold is null)`);
  }
  if (bound === 'more-than' && numerator === denominator) {
    throw new GovernanceError('INVALID_RULE', `Invalid ${parameter}: more than the whole can never be met`);
  }
}

/** Checks every threshold of a rule; throws INVALID_RULE naming the bad one. */
export function requireValidRule(rule: TallyRule): void {
  for (const stage of ['participation', 'approval'] as const) {
    for (const dimension of ['area', 'heads'] as const) requireThreshold(`${stage}.${dimension}`, rule[stage][dimension]);
  }
  if (rule.approval.area === null && rule.approval.heads === null) {
    throw new GovernanceError('INVALID_RULE', 'Invalid approval: a rule must test the area, the heads or both');
  }
}

/** A custom rule for a poll outside Art. 278, validated. */
export function customRule(participation: DimensionThresholds, approval: DimensionThresholds): TallyRule {
  const rule: TallyRule = { name: 'custom', participation, approval };
  requireValidRule(rule);
  return rule;
}

/**
 * True when two disjoint groups of ballots cannot both meet the threshold: "more than"
 * at least one half, or "at least" more than one half. A choices poll needs one such
 * test so that at most one option is adopted.
 */
function isExclusiveMajority(threshold: Threshold | null): boolean {
  if (threshold === null) return false;
  const { numerator, denominator } = threshold.fraction;
  return threshold.bound === 'more-than' ? 2n * numerator >= denominator : 2n * numerator > denominator;
}

export type BallotForm = { kind: 'yes-no-abstain' } | { kind: 'choices'; options: readonly string[]; abstain: boolean };

export const YES_NO_ABSTAIN: BallotForm = Object.freeze({ kind: 'yes-no-abstain' });

/** The option ids a ballot may carry, validated: yes/no/abstain, or the choices (and abstain if offered). */
export function ballotOptions(form: BallotForm): string[] {
  if (form.kind === 'yes-no-abstain') return [YES, NO, ABSTAIN];
  if (form.kind !== 'choices') throw new GovernanceError('INVALID_BALLOT_FORM', 'Invalid ballot form: kind must be yes-no-abstain or choices');
  const { options } = form;
  if (options.length < 2 || options.length > MAX_CHOICE_OPTIONS) {
    throw new GovernanceError('INVALID_BALLOT_FORM', `Invalid options: a choices poll offers 2 to ${MAX_CHOICE_OPTIONS} options`);
  }
  for (const option of options) {
    if (typeof option !== 'string' || !OPTION_ID_PATTERN.test(option) || option === ABSTAIN) {
      throw new GovernanceError('INVALID_BALLOT_FORM', 'Invalid options: an option id is lower-case letters, digits and hyphens, at most 32, and not "abstain"');
    }
  }
  if (new Set(options).size !== options.length) throw new GovernanceError('INVALID_BALLOT_FORM', 'Invalid options: an option id is repeated');
  return form.abstain ? [...options, ABSTAIN] : [...options];
}

/** Checks that a rule can decide a form: a choices poll needs an exclusive majority on area or heads. */
export function requireRuleFitsForm(rule: TallyRule, form: BallotForm): void {
  requireValidRule(rule);
  ballotOptions(form);
  if (form.kind === 'choices' && !isExclusiveMajority(rule.approval.area) && !isExclusiveMajority(rule.approval.heads)) {
    throw new GovernanceError('INVALID_RULE', 'Invalid approval: a choices poll needs a majority threshold on area or heads, so at most one option is adopted');
  }
}

/** The pinned census snapshot's totals: members (heads) and their total weight in 0.01 m². */
export interface CensusCounts {
  heads: bigint;
  weight: bigint;
}

export function requireValidCensus(census: CensusCounts): void {
  const { heads, weight } = census;
  if (typeof heads !== 'bigint' || heads < 1n || heads > MAX_CENSUS_HEADS) {
    throw new GovernanceError('INVALID_CENSUS', `Invalid census heads: must be 1 to ${MAX_CENSUS_HEADS}`);
  }
  // Every member weighs at least 1, so the total weight is at least the head count.
  if (typeof weight !== 'bigint' || weight < heads || weight > MAX_CENSUS_TOTAL_WEIGHT) {
    throw new GovernanceError('INVALID_CENSUS', `Invalid census weight: must be the head count to ${MAX_CENSUS_TOTAL_WEIGHT}`);
  }
}

/** Heads and weight behind one option (or behind all participating ballots). */
export interface VoteTotal {
  heads: bigint;
  weight: bigint;
}

/** Per option id, the heads and weight of the current ballots for it. */
export type OptionTotals = ReadonlyMap<string, VoteTotal>;

/** One threshold test, with the exact comparison it made. */
export interface ThresholdCheck {
  value: bigint;
  of: bigint;
  threshold: Threshold;
  met: boolean;
  /** E.g. "20100 = 6700 × 3 ≥ 2 × 10050 = 20100: at least 2/3, met". */
  explanation: string;
}

export interface DimensionChecks {
  area: ThresholdCheck | null;
  heads: ThresholdCheck | null;
  /** Every tested dimension met (a rule without any test here is met). */
  met: boolean;
}

export interface OptionVerdict {
  option: string;
  heads: bigint;
  weight: bigint;
  /** Null for options that cannot be adopted: "no" and "abstain". */
  approval: DimensionChecks | null;
}

export interface TallyVerdict {
  rule: TallyRule;
  form: BallotForm['kind'];
  census: CensusCounts;
  participating: VoteTotal;
  participation: DimensionChecks;
  options: OptionVerdict[];
  /** "yes" when a yes/no proposal passes, the adopted choice, or null. */
  adopted: string | null;
  passed: boolean;
}

function describe(threshold: Threshold): string {
  const { numerator, denominator } = threshold.fraction;
  return `${threshold.bound === 'at-least' ? 'at least' : 'more than'} ${numerator}/${denominator}`;
}

/**
 * value / of against the threshold, by cross multiplication. A total of zero meets
 * nothing: with no participants, nobody approved.
 */
export function checkThreshold(value: bigint, of: bigint, threshold: Threshold): ThresholdCheck {
  const { numerator, denominator } = threshold.fraction;
  const left = value * denominator;
  const right = numerator * of;
  const met = of > 0n && (threshold.bound === 'at-least' ? left >= right : left > right);
  const relation = left > right ? '>' : left === right ? '=' : '<';
  const explanation = `${value} × ${denominator} = ${left} ${relation} ${numerator} × ${of} = ${right}: ${describe(threshold)} of ${of}, ${met ? 'met' : 'not met'}`;
  return { value, of, threshold, met, explanation };
}

function checkDimensions(value: VoteTotal, of: VoteTotal, thresholds: DimensionThresholds): DimensionChecks {
  const area = thresholds.area === null ? null : checkThreshold(value.weight, of.weight, thresholds.area);
  const heads = thresholds.heads === null ? null : checkThreshold(value.heads, of.heads, thresholds.heads);
  return { area, heads, met: (area?.met ?? true) && (heads?.met ?? true) };
}

function requireTotal(option: string, total: VoteTotal | undefined): VoteTotal {
  const value = total ?? { heads: 0n, weight: 0n };
  if (value.heads < 0n || value.weight < value.heads) {
    throw new GovernanceError('INVALID_WEIGHT', `Invalid totals for option ${option}: heads must be non-negative and the weight at least the heads`);
  }
  return value;
}

/**
 * The verdict of a rule on the totals of the current ballots. Options missing from the
 * totals have no ballots; an option the form does not offer is UNKNOWN_CHOICE, and
 * totals above the census are TALLY_EXCEEDS_CENSUS.
 */
export function decideTally(rule: TallyRule, form: BallotForm, census: CensusCounts, totals: OptionTotals): TallyVerdict {
  requireRuleFitsForm(rule, form);
  requireValidCensus(census);
  const optionIds = ballotOptions(form);
  for (const option of totals.keys()) {
    if (!optionIds.includes(option)) throw new GovernanceError('UNKNOWN_CHOICE', 'Invalid totals: an option the ballot form does not offer');
  }
  const perOption = optionIds.map((option) => ({ option, total: requireTotal(option, totals.get(option)) }));
  const participating = perOption.reduce<VoteTotal>(
    (sum, { total }) => ({ heads: sum.heads + total.heads, weight: sum.weight + total.weight }), { heads: 0n, weight: 0n });
  if (participating.heads > census.heads || participating.weight > census.weight) {
    throw new GovernanceError('TALLY_EXCEEDS_CENSUS', 'Invalid totals: more heads or weight than the pinned census');
  }
  const participation = checkDimensions(participating, census, rule.participation);
  const options: OptionVerdict[] = perOption.map(({ option, total }) => ({
    option,
    heads: total.heads,
    weight: total.weight,
    approval: option === ABSTAIN || option === NO ? null : checkDimensions(total, participating, rule.approval),
  }));
  const carried = options.filter((verdict) => verdict.approval?.met === true);
  // requireRuleFitsForm guarantees at most one option carries; check it all the same.
  if (carried.length > 1) throw new GovernanceError('INVALID_RULE', 'Invalid approval: more than one option met the thresholds');
  const adopted = participation.met && carried.length === 1 ? carried[0]!.option : null;
  return { rule, form: form.kind, census, participating, participation, options, adopted, passed: adopted !== null };
}
