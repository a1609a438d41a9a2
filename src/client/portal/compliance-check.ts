/**
 * The regulator page's verifier: the same `verifyComplianceBundle` as
 * `npm run compliance:verify` (src/regulators/compliance-bundles.ts), bundled for the
 * browser as its own chunk, loaded when the page opens, so a bundle file is then checked
 * with no request at all (signatures, inclusion and consistency proofs, the paid set and
 * totals replayed from the log, every Groth16 proof with the bundle's keys).
 */
// First, so Node's `Buffer` global exists before the ledger modules below run.
import './buffer-global-browser.ts';

export { verifyComplianceBundle } from '../../regulators/compliance-bundles.ts';
export type { ComplianceVerification } from '../../regulators/compliance-bundles.ts';
