/**
 * A ledger-range compliance bundle: entries `from`..`to` of a community's log with their
 * inclusion proofs in a signed, cosigned checkpoint covering them (src/ledger/bundle.ts),
 * and a consistency proof from the checkpoint before it — for a regulator who audits a
 * stretch of the log offline.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { InvalidInputError } from '../domain-error.ts';
import type { Viewer } from '../accounts/viewer.ts';
import { exportBundle, type LedgerBundle } from '../ledger/bundle.ts';
import { consistencyFromPreviousCheckpoint, type BundleConsistency } from '../ledger/bundle-consistency.ts';
import type { SecretSealer } from '../ledger/log-keys.ts';
import { coveringCheckpoint } from '../fee-proofs/fee-period-bundle.ts';
import { requireOverseer } from './oversight.ts';

export const LEDGER_RANGE_BUNDLE_FORMAT = 'courtyard-ledger-range-bundle/v1';
/** Entries one range bundle carries: export longer stretches as several. */
export const MAX_RANGE_ENTRIES = 100_000;

export interface LedgerRangeBundle {
  format: typeof LEDGER_RANGE_BUNDLE_FORMAT;
  ledger: LedgerBundle;
  consistency: BundleConsistency | null;
}

export async function exportLedgerRangeBundle(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { communityId: string; from: number; to?: number | null },
  sealer: SecretSealer,
): Promise<LedgerRangeBundle> {
  requireOverseer(viewer, input.communityId);
  const treeSize = await coveringCheckpoint(em, input.communityId, sealer);
  const end = Math.min(input.to ?? treeSize, treeSize);
  if (!Number.isSafeInteger(input.from) || input.from < 0 || input.from > end)
    throw new InvalidInputError('from', `must be from 0 to ${end}`);
  if (end - input.from > MAX_RANGE_ENTRIES)
    throw new InvalidInputError('to', `a range bundle carries at most ${MAX_RANGE_ENTRIES} entries`);
  return {
    format: LEDGER_RANGE_BUNDLE_FORMAT,
    ledger: await exportBundle(em, { communityId: input.communityId, start: input.from, end, treeSize }),
    consistency: await consistencyFromPreviousCheckpoint(em, input.communityId, treeSize),
  };
}
