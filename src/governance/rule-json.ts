/**
 * Tally rules and ballot forms as plain JSON (for the proposal row, ledger entries and
 * the election bundle), and back, validated on the way in.
 */
import { GovernanceError } from './governance-errors.ts';
import {
  ART_278_ORDINARY,
  ART_278_SPECIAL,
  SIMPLE_MAJORITY,
  customRule,
  type BallotForm,
  type DimensionThresholds,
  type Threshold,
  type TallyRule,
} from './tally-rules.ts';

export interface ThresholdJson {
  bound: 'at-least' | 'more-than';
  numerator: number;
  denominator: number;
}
export interface DimensionJson {
  area: ThresholdJson | null;
  heads: ThresholdJson | null;
}
/** `kind` is the rule's name (a payload key "name" is refused by the ledger as possible personal data). */
export interface RuleJson {
  kind: TallyRule['name'];
  participation: DimensionJson;
  approval: DimensionJson;
}

function thresholdJson(threshold: Threshold | null): ThresholdJson | null {
  return threshold && { bound: threshold.bound, numerator: Number(threshold.fraction.numerator), denominator: Number(threshold.fraction.denominator) };
}

function dimensionJson(thresholds: DimensionThresholds): DimensionJson {
  return { area: thresholdJson(thresholds.area), heads: thresholdJson(thresholds.heads) };
}

export function ruleToJson(rule: TallyRule): RuleJson {
  return { kind: rule.name, participation: dimensionJson(rule.participation), approval: dimensionJson(rule.approval) };
}

function thresholdOf(json: ThresholdJson | null | undefined): Threshold | null {
  if (json === null || json === undefined) return null;
  if (!Number.isSafeInteger(json.numerator) || !Number.isSafeInteger(json.denominator)) {
    throw new GovernanceError('INVALID_RULE', 'Invalid rule: a threshold is a fraction of integers');
  }
  return { bound: json.bound, fraction: { numerator: BigInt(json.numerator), denominator: BigInt(json.denominator) } };
}

function dimensionOf(json: DimensionJson | undefined): DimensionThresholds {
  return { area: thresholdOf(json?.area), heads: thresholdOf(json?.heads) };
}

export function ruleFromJson(json: RuleJson): TallyRule {
  switch (json.kind) {
    case 'art-278-ordinary':
      return ART_278_ORDINARY;
    case 'art-278-special':
      return ART_278_SPECIAL;
    case 'simple-majority':
      return SIMPLE_MAJORITY;
    case 'custom':
      return customRule(dimensionOf(json.participation), dimensionOf(json.approval));
    default:
      throw new GovernanceError('INVALID_RULE', 'Invalid rule: unknown rule name');
  }
}

export interface OptionJson {
  id: string;
  label: string;
}

export function formOf(kind: string, options: readonly OptionJson[], abstain: boolean): BallotForm {
  if (kind === 'yes-no-abstain') return { kind: 'yes-no-abstain' };
  return { kind: 'choices', options: options.map((option) => option.id), abstain };
}
