/**
 * The payload form of a transfer order: the `transfers` array of every entry that moves
 * money (manual batches, and the postings fee and spend rules derive).
 */
import { z } from 'zod';
import { idField, positiveFenField } from './payload-fields.ts';
import { MAX_LINKED_TRANSFERS } from './transfers.ts';
import { MANUAL_TRANSFER_CODES, TRANSFER_CODES, type TransferCode } from './transfer-codes.ts';

function transferOrderField<Code extends string>(codes: readonly [Code, ...Code[]]) {
  return z.strictObject({
    debitAccountId: idField,
    creditAccountId: idField,
    amountFen: positiveFenField,
    code: z.enum(codes),
  });
}

export const manualTransferOrdersField = z
  .array(transferOrderField(MANUAL_TRANSFER_CODES))
  .min(1)
  .max(MAX_LINKED_TRANSFERS);

/** Postings a rule derived; an empty list when the rule moved no money. */
export const derivedTransfersField = z
  .array(transferOrderField(TRANSFER_CODES as readonly [TransferCode, ...TransferCode[]]))
  .max(MAX_LINKED_TRANSFERS);
