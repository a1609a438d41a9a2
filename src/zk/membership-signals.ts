/**
 * The membership circuit's public signals, in snarkjs order: the output first, then
 * the public inputs as the template declares them.
 */
export const MEMBERSHIP_PUBLIC_SIGNALS = ['nullifier', 'root', 'attribute', 'scope', 'message'] as const;
export const MEMBERSHIP_PUBLIC_SIGNAL_COUNT = MEMBERSHIP_PUBLIC_SIGNALS.length;

export interface MembershipPublicSignals {
  nullifier: bigint;
  root: bigint;
  attribute: bigint;
  scope: bigint;
  message: bigint;
}

export function membershipSignalsFromArray(values: readonly bigint[]): MembershipPublicSignals {
  const [nullifier, root, attribute, scope, message] = values;
  if (values.length !== MEMBERSHIP_PUBLIC_SIGNAL_COUNT || message === undefined) {
    throw new RangeError(`Invalid public signals: expected ${MEMBERSHIP_PUBLIC_SIGNAL_COUNT}, got ${values.length}`);
  }
  return { nullifier: nullifier!, root: root!, attribute: attribute!, scope: scope!, message };
}
