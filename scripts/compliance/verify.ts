/**
 * Verifies any compliance bundle offline — fee period, election, ledger range, plain
 * ledger export — with no database and no server:
 *
 *   node scripts/compliance/verify.ts BUNDLE.json [--log-key name+hash+base64] [--json]
 *
 * Checks every signature, cosignature, inclusion and consistency proof and every
 * zero-knowledge proof the bundle carries (src/regulators/compliance-bundles.ts). Prints
 * `OK <format>: <what was checked>`, or `FAILED <format>` and one line per problem naming
 * its place (`ledger`, `consistency`, `paidSet (entry 12)`, `totals`, `proofs[0]`, …);
 * with --json, one JSON object instead. Without --log-key the bundle's own log key is
 * trusted, and the report says so. Exit statuses: scripts/ledger/command.ts (0 verifies,
 * 1 does not, 2 bad usage or an unreadable file).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { verifyComplianceBundle } from '../../src/regulators/compliance-bundles.ts';
import { COMMAND_EXIT, CommandFailure, runCommand } from '../ledger/command.ts';

const USAGE = 'usage: node scripts/compliance/verify.ts BUNDLE.json [--log-key KEY] [--json]';

await runCommand(async () => {
  let parsed: { values: { 'log-key'?: string | undefined; json?: boolean | undefined }; positionals: string[] };
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { 'log-key': { type: 'string' }, json: { type: 'boolean' } },
    });
  } catch (error) {
    throw new CommandFailure(COMMAND_EXIT.usage, `${(error as Error).message}; ${USAGE}`);
  }
  if (parsed.positionals.length !== 1) throw new CommandFailure(COMMAND_EXIT.usage, USAGE);
  const path = parsed.positionals[0]!;
  let bundle: unknown;
  try {
    bundle = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CommandFailure(
      COMMAND_EXIT.usage,
      `cannot read ${path} as JSON: ${(error as NodeJS.ErrnoException).code ?? 'not JSON'}`,
    );
  }
  const trustedKey = parsed.values['log-key'];
  const result = await verifyComplianceBundle(bundle, trustedKey);
  if (parsed.values.json) {
    console.log(JSON.stringify({ ...result, logKeyTrustedFromBundle: trustedKey === undefined }));
  } else if (result.valid) {
    console.log(`OK ${result.format}: ${result.summary}`);
    if (trustedKey === undefined && result.logVerifierKey)
      console.log(
        `NOTE: the log key was taken from the bundle; compare it with one you trust: ${result.logVerifierKey}`,
      );
  } else {
    console.log(`FAILED ${result.format}`);
    for (const problem of result.problems) console.log(`${problem.place}: ${problem.message}`);
  }
  return result.valid ? COMMAND_EXIT.ok : COMMAND_EXIT.failed;
});
