/**
 * A trustee's tool for an encrypted-weight proposal (issue 15), run on the trustee's own
 * device: the key generation and the partial decryption, talking to the Courtyard API with
 * the trustee's session token. The logic is the SDK's (src/client/trustee.ts, on
 * src/governance/encrypted-weights); the private state — the dealing, then the key share —
 * stays in one file sealed under a passphrase (scrypt + XChaCha20-Poly1305, as the identity
 * backup), and never reaches the server.
 *
 *   npm run trustee -- round1  --server URL --proposal ID --state FILE   commitments (writes FILE)
 *   npm run trustee -- round2  --server URL --proposal ID --state FILE   shares, once every round 1 is in
 *   npm run trustee -- finish  --server URL --proposal ID --state FILE   after the opening: check own share
 *                                                                        against the public share, keep it
 *   npm run trustee -- decrypt --server URL --proposal ID --state FILE   after the close: partial decryption
 *
 * The session token is read from COURTYARD_TOKEN (from `login`), the passphrase from
 * COURTYARD_TRUSTEE_PASSPHRASE or, on a terminal, asked for without echo. A failure prints
 * `CODE: message` on stderr and exits 1; the codes are the API's (NOT_A_TRUSTEE,
 * PROPOSAL_STATE, ELECTION_KEY_NOT_READY, …), DKG_SHARE_INVALID / DKG_MESSAGE_INVALID for a
 * share that does not check out, WRONG_PASSPHRASE for the state file.
 */
import { access, readFile, rename, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CourtyardClient } from '../../src/client/typed-api/courtyard-client.ts';
import {
  openTrusteeState, sealTrusteeState, trusteeDecrypt, trusteeFinish, trusteeRound1, trusteeRound2, type TrusteeState,
} from '../../src/client/trustee.ts';

class UsageError extends Error {
  readonly code = 'USAGE';
}

async function passphrase(): Promise<string> {
  const fromEnvironment = process.env['COURTYARD_TRUSTEE_PASSPHRASE'];
  if (fromEnvironment) return fromEnvironment;
  if (!process.stdin.isTTY) throw new UsageError('Set COURTYARD_TRUSTEE_PASSPHRASE or run on a terminal to be asked for the passphrase');
  process.stderr.write('Passphrase of the trustee state: ');
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const prompt = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await prompt.question('');
  } finally {
    prompt.close();
    process.stderr.write('\n');
  }
}

/** Writes the sealed state beside the file first, then renames it over: a crash never leaves half a state. */
async function writeState(file: string, state: TrusteeState, secret: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${await sealTrusteeState(state, secret)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

async function main(argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { server: { type: 'string' }, proposal: { type: 'string' }, state: { type: 'string' } },
  });
  const [step] = positionals;
  const { server, proposal, state: file } = values;
  if (!step || !['round1', 'round2', 'finish', 'decrypt'].includes(step) || !server || !proposal || !file) {
    throw new UsageError('Usage: npm run trustee -- round1|round2|finish|decrypt --server URL --proposal ID --state FILE');
  }
  const token = process.env['COURTYARD_TOKEN'];
  if (!token) throw new UsageError('Set COURTYARD_TOKEN to your session token (from login)');
  const client = new CourtyardClient({ origin: server.replace(/\/$/u, ''), token });
  const secret = await passphrase();
  if (step === 'round1') {
    if (await access(file).then(() => true, () => false)) throw new UsageError(`${file} exists: a trustee state is never overwritten by round1`);
    const { state, ledgerEntryId } = await trusteeRound1(client, proposal);
    await writeState(file, state, secret);
    return `round1: trustee ${state.trustee} of ${state.trusteeCount} (k = ${state.threshold}) published its commitments (entry ${ledgerEntryId}); dealing sealed in ${file}`;
  }
  const state = await openTrusteeState(await readFile(file, 'utf8'), secret);
  if (step === 'round2') {
    const { trustee, shares } = await trusteeRound2(client, proposal, state);
    return `round2: trustee ${trustee} published ${shares} sealed shares`;
  }
  if (step === 'finish') {
    const finished = await trusteeFinish(client, proposal, state);
    await writeState(file, finished, secret);
    return `finish: trustee ${finished.trustee}'s key share matches its public share (${finished.share!.publicShare.x.slice(0, 12)}…); sealed in ${file}, dealing erased`;
  }
  const { trustee, partialDecryptions, decided } = await trusteeDecrypt(client, proposal, state);
  return `decrypt: trustee ${trustee} published its partial decryption (${partialDecryptions ?? '?'} published${decided ? '; the tally is decided' : ''})`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(await main(process.argv.slice(2)));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    console.error(`${typeof code === 'string' ? code : 'FAILED'}: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
