/**
 * Verifies a ledger bundle offline: no database, no server.
 *
 *   node scripts/ledger/verify.ts bundle.json [--log-key name+hash+base64] [--min-cosignatures K]
 *
 * Without --log-key the bundle's own log key is trusted, and the output says so.
 * Exit statuses: scripts/ledger/command.ts (0 verifies, 1 does not, 2 bad usage or an
 * unreadable file).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { verifyBundle, type LedgerBundle } from '../../src/ledger/bundle.ts';
import { COMMAND_EXIT, CommandFailure, runCommand } from './command.ts';

const USAGE = 'usage: node scripts/ledger/verify.ts bundle.json [--log-key KEY] [--min-cosignatures K]';

async function readBundle(path: string): Promise<LedgerBundle> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CommandFailure(COMMAND_EXIT.usage, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  try {
    return JSON.parse(text) as LedgerBundle;
  } catch {
    throw new CommandFailure(COMMAND_EXIT.usage, `${path} is not JSON`);
  }
}

await runCommand(async () => {
  let parsed: { values: { 'log-key'?: string | undefined; 'min-cosignatures'?: string | undefined }; positionals: string[] };
  try {
    parsed = parseArgs({ allowPositionals: true, options: { 'log-key': { type: 'string' }, 'min-cosignatures': { type: 'string', default: '0' } } });
  } catch (error) {
    throw new CommandFailure(COMMAND_EXIT.usage, `${(error as Error).message}; ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new CommandFailure(COMMAND_EXIT.usage, USAGE);
  if (!/^\d{1,3}$/u.test(values['min-cosignatures'] ?? '0')) throw new CommandFailure(COMMAND_EXIT.usage, '--min-cosignatures must be a whole number');
  const bundle = await readBundle(positionals[0]!);
  try {
    const result = verifyBundle(bundle, values['log-key']);
    const minimum = Number(values['min-cosignatures']);
    if (result.cosignedBy.length < minimum) throw new Error(`only ${result.cosignedBy.length} cosignatures, ${minimum} required`);
    console.log(`OK: ${result.entriesVerified} entries verify against checkpoint ${result.treeSize} (root ${result.rootHash})`);
    console.log(`cosigned by: ${result.cosignedBy.join(', ') || 'nobody'}`);
    if (!values['log-key']) console.log(`NOTE: the log key was taken from the bundle; compare it with one you trust: ${bundle.logVerifierKey}`);
    return COMMAND_EXIT.ok;
  } catch (error) {
    console.log(`FAILED: ${(error as Error).message}`);
    return COMMAND_EXIT.failed;
  }
});
