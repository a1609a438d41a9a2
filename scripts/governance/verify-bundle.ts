/**
 * Verifies an election bundle offline: no database, no server. A file of format
 * courtyard-encrypted-tally/v1 (src/governance/encrypted-tally-bundle.ts) is checked as an
 * encrypted-weight tally instead.
 *
 *   node scripts/governance/verify-bundle.ts election.json [--log-key name+hash+base64]
 *
 * Prints OK with the counts, or FAILED and one line per problem naming its place
 * (ledger, census, verificationKey, ballots[i], result). Without --log-key the bundle's
 * own log key is trusted, and the output says so. Exit statuses: scripts/ledger/command.ts
 * (0 verifies, 1 does not, 2 bad usage or an unreadable file).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { verifyElectionBundle, type ElectionBundle } from '../../src/governance/election-bundle.ts';
import { ENCRYPTED_TALLY_FORMAT, verifyEncryptedTallySection, type EncryptedTallySection } from '../../src/governance/encrypted-tally-bundle.ts';
import { COMMAND_EXIT, CommandFailure, runCommand } from '../ledger/command.ts';

const USAGE = 'usage: node scripts/governance/verify-bundle.ts election.json [--log-key KEY]';

await runCommand(async () => {
  let parsed: { values: { 'log-key'?: string | undefined }; positionals: string[] };
  try {
    parsed = parseArgs({ allowPositionals: true, options: { 'log-key': { type: 'string' } } });
  } catch (error) {
    throw new CommandFailure(COMMAND_EXIT.usage, `${(error as Error).message}; ${USAGE}`);
  }
  if (parsed.positionals.length !== 1) throw new CommandFailure(COMMAND_EXIT.usage, USAGE);
  const path = parsed.positionals[0]!;
  let bundle: ElectionBundle;
  try {
    bundle = JSON.parse(await readFile(path, 'utf8')) as ElectionBundle;
  } catch (error) {
    throw new CommandFailure(COMMAND_EXIT.usage, `cannot read ${path} as JSON: ${(error as NodeJS.ErrnoException).code ?? 'not JSON'}`);
  }
  if ((bundle as { format?: unknown }).format === ENCRYPTED_TALLY_FORMAT) {
    // An encrypted-weight tally (issue 15): proofs, homomorphic sums, partial decryptions, verdict.
    const section = bundle as unknown as EncryptedTallySection;
    const problems = await verifyEncryptedTallySection(section);
    if (problems.length > 0) {
      console.log('FAILED');
      for (const problem of problems) console.log(`${problem.place}: ${problem.code}: ${problem.detail}`);
      return COMMAND_EXIT.failed;
    }
    console.log(`OK: ${section.ballots.length} encrypted ballots verify, their sums decrypt with valid proofs to the recorded totals and verdict`);
    return COMMAND_EXIT.ok;
  }
  const result = await verifyElectionBundle(bundle, parsed.values['log-key']);
  if (!result.valid) {
    console.log('FAILED');
    for (const problem of result.problems) console.log(`${problem.place}: ${problem.message}`);
    return COMMAND_EXIT.failed;
  }
  console.log(`OK: ${result.ballotsVerified} ballots match the log, ${result.proofsVerified} proofs verify, the result replays, the census rebuilds its root`);
  if (!parsed.values['log-key']) console.log(`NOTE: the log key was taken from the bundle; compare it with one you trust: ${bundle.ledger.logVerifierKey}`);
  return COMMAND_EXIT.ok;
});
