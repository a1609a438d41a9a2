/**
 * The depths at which the membership circuit is declared, and the choices that follow from
 * them: which instance proves a tree of a given depth, and which depth a census of a given
 * size should use. Browser-safe (no file reads), so the SDK and the census share it.
 *
 * circuits/circuits.json is the declaration; MEMBERSHIP_DEPTHS repeats it so that pure code
 * can decide without reading a file, and test/zk/artifacts.test.ts fails if the two differ.
 * docs/zk.md says why these depths: each of 14 and 20 is the deepest tree of its Groth16
 * domain (2^12 and 2^13), and 10 is the step inside the 2^12 domain for a 小区 of up to
 * 1,024 households.
 */
import { ZkInputError } from './errors.ts';

/** Every declared depth of the membership circuit, smallest first. */
export const MEMBERSHIP_DEPTHS = [10, 14, 20] as const;
export type MembershipDepth = (typeof MEMBERSHIP_DEPTHS)[number];

/** The deepest declared tree: 2^20 = 1,048,576 leaves. */
export const MAX_MEMBERSHIP_DEPTH: MembershipDepth = 20;

const INSTANCE_PREFIX = 'membership-';

export function isMembershipDepth(depth: number): depth is MembershipDepth {
  return (MEMBERSHIP_DEPTHS as readonly number[]).includes(depth);
}

/** The instance name in circuits/circuits.json, e.g. `membership-14`; refuses an undeclared depth. */
export function membershipInstanceForDepth(depth: number): string {
  if (!isMembershipDepth(depth)) {
    throw new ZkInputError('DEPTH_NOT_DECLARED', `Invalid depth: ${depth} is not a declared membership depth (${MEMBERSHIP_DEPTHS.join(', ')})`);
  }
  return `${INSTANCE_PREFIX}${depth}`;
}

/** The depth of a declared membership instance name, or undefined for any other name. */
export function membershipDepthOfInstance(instance: string): MembershipDepth | undefined {
  if (!instance.startsWith(INSTANCE_PREFIX)) return undefined;
  const digits = instance.slice(INSTANCE_PREFIX.length);
  if (!/^[1-9]\d{0,2}$/u.test(digits)) return undefined;
  const depth = Number(digits);
  return isMembershipDepth(depth) ? depth : undefined;
}

/** Every declared membership instance name, smallest depth first. */
export function membershipInstanceNames(): string[] {
  return MEMBERSHIP_DEPTHS.map((depth) => membershipInstanceForDepth(depth));
}

/**
 * The smallest declared depth whose tree holds `leafCount` leaves (removed leaves count: their
 * index is never reused). 0 leaves take the smallest depth; more than 2^20 is TREE_FULL.
 */
export function smallestDeclaredDepthFor(leafCount: number): MembershipDepth {
  if (!Number.isSafeInteger(leafCount) || leafCount < 0) {
    throw new ZkInputError('INVALID_INPUT', `Invalid leafCount: ${leafCount} is not a non-negative integer`);
  }
  const depth = MEMBERSHIP_DEPTHS.find((candidate) => leafCount <= 2 ** candidate);
  if (depth === undefined) {
    throw new ZkInputError('TREE_FULL', `Invalid leafCount: ${leafCount} leaves exceed the deepest declared tree (2^${MAX_MEMBERSHIP_DEPTH})`);
  }
  return depth;
}

/** The declared depth after `depth`, where a full tree grows to; undefined after the deepest. */
export function nextDeclaredDepth(depth: MembershipDepth): MembershipDepth | undefined {
  return MEMBERSHIP_DEPTHS[MEMBERSHIP_DEPTHS.indexOf(depth) + 1];
}
