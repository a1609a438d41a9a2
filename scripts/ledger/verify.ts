/**
 * Verifies a ledger bundle offline: no database, no server.
 *
 *   node scripts/ledger/verify.ts bundle.json [--log-key name+hash+base64] [--min-cosignatures K]
 *
 * Without --log-key the bundle's own log key is trusted, and the output says so.
 * Exit status: 0 when the bundle verifies, 1 when it does not, 2 on bad usage.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { verifyBundle, type LedgerBundle } from '../../src/ledger/bundle.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'log-key': { type: 'string' }, 'min-cosignatures': { type: 'string', default: '0' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: node scripts/ledger/verify.ts bundle.json [--log-key KEY] [--min-cosignatures K]\n');
  process.exit(2);
}
try {
  const bundle = JSON.parse(await readFile(positionals[0]!, 'utf8')) as LedgerBundle;
  const result = verifyBundle(bundle, values['log-key']);
  const minimum = Number(values['min-cosignatures']);
  if (result.cosignedBy.length < minimum) throw new Error(`only ${result.cosignedBy.length} cosignatures, ${minimum} required`);
  console.log(`OK: ${result.entriesVerified} entries verify against checkpoint ${result.treeSize} (root ${result.rootHash})`);
  console.log(`cosigned by: ${result.cosignedBy.join(', ') || 'nobody'}`);
  if (!values['log-key']) console.log(`NOTE: the log key was taken from the bundle; compare it with one you trust: ${bundle.logVerifierKey}`);
  process.exit(0);
} catch (error) {
  console.log(`FAILED: ${(error as Error).message}`);
  process.exit(1);
}
