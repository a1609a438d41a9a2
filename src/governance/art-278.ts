/**
 * The matters of PRC Civil Code Article 278 (《中华人民共和国民法典》第二百七十八条), by the
 * item numbers of its first paragraph, and which rule decides each.
 *
 * 下列事项由业主共同决定：
 *   （一）制定和修改业主大会议事规则；
 *   （二）制定和修改管理规约；
 *   （三）选举业主委员会或者更换业主委员会成员；
 *   （四）选聘和解聘物业服务企业或者其他管理人；
 *   （五）使用建筑物及其附属设施的维修资金；
 *   （六）筹集建筑物及其附属设施的维修资金；
 *   （七）改建、重建建筑物及其附属设施；
 *   （八）改变共有部分的用途或者利用共有部分从事经营活动；
 *   （九）有关共有和共同管理权利的其他重大事项。
 *
 * The second paragraph sets one participation test for all nine items and two approval
 * tests: items 6 to 8 need at least three quarters, every other item (using the
 * maintenance fund, item 5, included) more than half. The numbering here is the
 * article's own, 1 to 9, as printed in the 2020 Civil Code (in force 2021-01-01).
 */
import { GovernanceError } from './governance-errors.ts';
import { ART_278_ORDINARY, ART_278_SPECIAL, type TallyRule } from './tally-rules.ts';

export const ART_278_ITEMS = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
export type Art278Item = (typeof ART_278_ITEMS)[number];

export interface Art278Matter {
  item: Art278Item;
  /** The article's wording of the item, verbatim. */
  text: string;
  /** 'special': items 6–8, approved by at least 3/4; 'ordinary': the rest, by more than half. */
  kind: 'ordinary' | 'special';
}

const ITEM_TEXT: Record<Art278Item, string> = {
  1: '制定和修改业主大会议事规则',
  2: '制定和修改管理规约',
  3: '选举业主委员会或者更换业主委员会成员',
  4: '选聘和解聘物业服务企业或者其他管理人',
  5: '使用建筑物及其附属设施的维修资金',
  6: '筹集建筑物及其附属设施的维修资金',
  7: '改建、重建建筑物及其附属设施',
  8: '改变共有部分的用途或者利用共有部分从事经营活动',
  9: '有关共有和共同管理权利的其他重大事项',
};

function isArt278Item(item: unknown): item is Art278Item {
  return typeof item === 'number' && (ART_278_ITEMS as readonly number[]).includes(item);
}

/** The matter of Art. 278 with this item number; any other value is an INVALID_RULE error. */
export function art278Matter(item: number): Art278Matter {
  if (!isArt278Item(item)) throw new GovernanceError('INVALID_RULE', 'Invalid matter: Art. 278 items are numbered 1 to 9');
  return { item, text: ITEM_TEXT[item], kind: item >= 6 && item <= 8 ? 'special' : 'ordinary' };
}

/** The rule the law prescribes for a matter of Art. 278. */
export function art278RuleFor(item: number): TallyRule {
  return art278Matter(item).kind === 'special' ? ART_278_SPECIAL : ART_278_ORDINARY;
}
