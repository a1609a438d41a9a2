/**
 * Why money moved, on every transfer (TigerBeetle's `code`): cash-flow reports group by
 * it. A client's own transfers may carry only the first group; the rest are posted by the
 * fee and spend rules themselves, so nobody can forge "a payment" by hand.
 */
export const MANUAL_TRANSFER_CODES = [
  'manual',
  'opening-balance',
  'contribution',
  'provider-payout',
  'fund-transfer',
  // An activity's participant fees and their refunds (src/activities/), posted by the activities module.
  'activity-fee',
  'activity-refund',
] as const;
export const RULE_TRANSFER_CODES = [
  'invoice',
  'credit-applied',
  'payment',
  'overpayment',
  'refund',
  'correction',
  'late-fee',
  'spend',
] as const;

export type ManualTransferCode = (typeof MANUAL_TRANSFER_CODES)[number];
export type TransferCode = ManualTransferCode | (typeof RULE_TRANSFER_CODES)[number];

export const TRANSFER_CODES: readonly TransferCode[] = [...MANUAL_TRANSFER_CODES, ...RULE_TRANSFER_CODES];
