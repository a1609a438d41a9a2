/**
 * Groth16 trusted setup for Courtyard's circuits, on snarkjs's APIs.
 *
 * Phase 1 (powers of tau, circuit-independent):
 *   ptau-new        --power N --out FILE                 start a fresh accumulator
 *   ptau-contribute --in FILE --out FILE --name TEXT     add a contribution (any machine)
 *   ptau-beacon     --in FILE --out FILE --beacon HEX    close with a public random beacon
 *   ptau-prepare    --in FILE --out FILE                 prepare for phase 2 (~3 min at 2^13)
 *   ptau-verify     --ptau FILE                          verify every contribution
 * Phase 2 (per circuit instance):
 *   init       --instance NAME --ptau FILE --out FILE    the initial zkey (contribution 0)
 *   contribute --in FILE --out FILE --name TEXT          one contribution; prints its hash
 *   beacon     --in FILE --out FILE --beacon HEX         optional final beacon
 *   verify     --instance NAME --ptau FILE --zkey FILE…  verify each zkey's whole transcript
 *                                                       against the r1cs and the ptau
 *   export     --zkey FILE --out FILE                    write the verification key
 * Development:
 *   dev [--instance NAME]   one command: phase 2 with one random contribution and a random
 *                           beacon over the committed development ptau. INSECURE: whoever
 *                           runs it may know the toxic waste. Files and key say so.
 *
 * Run with: node_modules/.bin/node scripts/zk/ceremony.ts COMMAND [options]
 * Contributions take `--entropy TEXT`; without it 64 random bytes are drawn.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as snarkjs from 'snarkjs';
import type { SnarkjsLogger } from 'snarkjs';
import { getCurve, terminateCurve } from '../../src/zk/curve.ts';
import type { CircuitManifest } from '../../src/zk/circuit-manifest.ts';
import { verificationKeyHash } from '../../src/zk/verification-key.ts';
import type { LabelledVerificationKey } from '../../src/zk/verification-key.ts';
import { developmentSetupPaths, ptauPath } from '../../src/zk/artifact-paths.ts';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
/** 2^10 squarings to evaluate a beacon, as snarkjs's own examples do. */
const BEACON_ITERATIONS_EXPONENT = 10;

/** Collects snarkjs's log lines so they can be reported (and kept quiet in tests). */
export function collectingLogger(lines: string[] = [], echo = false): SnarkjsLogger & { lines: string[] } {
  const record = (message: string) => {
    lines.push(message);
    if (echo) console.log(message);
  };
  return { lines, debug: () => {}, info: record, warn: record, error: record };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function randomEntropy(): string {
  return randomBytes(64).toString('hex');
}

export async function newPowersOfTau(power: number, out: string): Promise<void> {
  await snarkjs.powersOfTau.newAccumulator(await getCurve(), power, out);
}

export async function contributePowersOfTau(input: string, out: string, name: string, entropy = randomEntropy()): Promise<string> {
  return hex(await snarkjs.powersOfTau.contribute(input, out, name, entropy));
}

export async function beaconPowersOfTau(input: string, out: string, beaconHex: string): Promise<string> {
  return hex(await snarkjs.powersOfTau.beacon(input, out, 'Final beacon', beaconHex, BEACON_ITERATIONS_EXPONENT));
}

export async function preparePowersOfTau(input: string, out: string): Promise<void> {
  await snarkjs.powersOfTau.preparePhase2(input, out);
}

export async function verifyPowersOfTau(file: string, logger?: SnarkjsLogger): Promise<boolean> {
  return snarkjs.powersOfTau.verify(file, logger);
}

/** The initial phase-2 zkey; returns the circuit hash snarkjs derives from the r1cs. */
export async function initPhase2(r1cs: string, ptau: string, out: string): Promise<string> {
  return hex(await snarkjs.zKey.newZKey(r1cs, ptau, out));
}

export async function contributePhase2(input: string, out: string, name: string, entropy = randomEntropy()): Promise<string> {
  return hex(await snarkjs.zKey.contribute(input, out, name, entropy));
}

export async function beaconPhase2(input: string, out: string, beaconHex: string): Promise<string> {
  const hash = await snarkjs.zKey.beacon(input, out, 'Final beacon', beaconHex, BEACON_ITERATIONS_EXPONENT);
  if (hash === false) throw new Error('Failed to apply beacon: snarkjs refused the beacon or the zkey');
  return hex(hash);
}

/**
 * Verifies a zkey's whole transcript: it recomputes the initial zkey from the r1cs and
 * the ptau and checks every contribution and beacon up to this file.
 */
export async function verifyPhase2(r1cs: string, ptau: string, zkey: string, logger?: SnarkjsLogger): Promise<boolean> {
  return snarkjs.zKey.verifyFromR1cs(r1cs, ptau, zkey, logger);
}

export async function exportVerificationKey(zkey: string, out: string, insecure: boolean): Promise<LabelledVerificationKey> {
  const key: LabelledVerificationKey = await snarkjs.zKey.exportVerificationKey(zkey);
  const labelled = insecure ? { insecure: true, ...key } : key;
  await writeFile(out, `${JSON.stringify(labelled, null, 1)}\n`);
  return labelled;
}

async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

async function readManifest(): Promise<CircuitManifest> {
  return JSON.parse(await readFile(join(repositoryRoot, 'circuits', 'circuits.json'), 'utf8')) as CircuitManifest;
}

/** Phase 1 for development: one local contribution and a beacon, then prepared for phase 2. */
async function developmentPowersOfTau(power: number, out: string, scratch: string): Promise<void> {
  console.log(`INSECURE development powers of tau 2^${power}: generating (prepare takes minutes)…`);
  const [fresh, contributed, beaconed] = ['0000', '0001', 'beacon'].map((step) => join(scratch, `pot${power}_${step}.ptau`));
  await newPowersOfTau(power, fresh!);
  await contributePowersOfTau(fresh!, contributed!, 'Courtyard development phase 1 (INSECURE)');
  await beaconPowersOfTau(contributed!, beaconed!, randomBytes(32).toString('hex'));
  await preparePowersOfTau(beaconed!, out);
}

/** The one-command development setup. Everything it writes is labelled INSECURE. */
export async function developmentSetup(instanceName: string): Promise<void> {
  const instance = (await readManifest())[instanceName];
  if (!instance) throw new Error(`Failed to set up: no instance "${instanceName}" in circuits/circuits.json`);
  const paths = developmentSetupPaths(repositoryRoot, instanceName);
  const ptau = ptauPath(repositoryRoot, instance.powersOfTau);
  const scratch = join(repositoryRoot, 'circuits', 'build', 'tmp', `setup-${process.pid}`);
  await mkdir(scratch, { recursive: true });
  try {
    try {
      await readFile(ptau);
    } catch {
      await mkdir(join(ptau, '..'), { recursive: true });
      await developmentPowersOfTau(instance.powersOfTau, ptau, scratch);
    }
    const initial = join(scratch, `${instanceName}_0000.zkey`);
    const contributed = join(scratch, `${instanceName}_0001.zkey`);
    await initPhase2(paths.r1cs, ptau, initial);
    const contributionHash = await contributePhase2(initial, contributed, 'Courtyard development contribution (INSECURE)');
    const beacon = randomBytes(32).toString('hex');
    const beaconHash = await beaconPhase2(contributed, paths.zkey, beacon);
    const logger = collectingLogger();
    if (!(await verifyPhase2(paths.r1cs, ptau, paths.zkey, logger))) throw new Error(`Failed to verify the development zkey:\n${logger.lines.join('\n')}`);
    const key = await exportVerificationKey(paths.zkey, paths.verificationKey, true);
    const record = {
      insecure: true,
      warning: 'INSECURE development setup: one local contribution and a random beacon. Never use it for real ballots.',
      instance: instanceName,
      r1csSha256: await sha256File(paths.r1cs),
      ptauSha256: await sha256File(ptau),
      zkeySha256: await sha256File(paths.zkey),
      verificationKeyHash: verificationKeyHash(key),
      contributions: [{ name: 'Courtyard development contribution (INSECURE)', hash: contributionHash }],
      beacon: { value: beacon, iterationsExponent: BEACON_ITERATIONS_EXPONENT, hash: beaconHash },
    };
    await writeFile(paths.setupRecord, `${JSON.stringify(record, null, 2)}\n`);
    console.log(`INSECURE development setup for ${instanceName} written:\n  ${paths.zkey}\n  ${paths.verificationKey}\n  ${paths.setupRecord}`);
    console.log(`verification key hash ${record.verificationKeyHash} (INSECURE)`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new Error(`Missing --${name}`);
  return value;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      power: { type: 'string' }, in: { type: 'string' }, out: { type: 'string' }, name: { type: 'string' },
      entropy: { type: 'string' }, beacon: { type: 'string' }, ptau: { type: 'string' }, instance: { type: 'string' },
      zkey: { type: 'string', multiple: true },
    },
  });
  const [command] = positionals;
  const instanceName = values.instance ?? 'membership-20';
  const r1cs = () => developmentSetupPaths(repositoryRoot, instanceName).r1cs;
  switch (command) {
    case 'ptau-new': await newPowersOfTau(Number(required(values, 'power')), required(values, 'out')); break;
    case 'ptau-contribute': console.log(`contribution hash ${await contributePowersOfTau(required(values, 'in'), required(values, 'out'), required(values, 'name'), values.entropy)}`); break;
    case 'ptau-beacon': console.log(`beacon contribution hash ${await beaconPowersOfTau(required(values, 'in'), required(values, 'out'), required(values, 'beacon'))}`); break;
    case 'ptau-prepare': await preparePowersOfTau(required(values, 'in'), required(values, 'out')); break;
    case 'ptau-verify': {
      const valid = await verifyPowersOfTau(required(values, 'ptau'), collectingLogger([], true));
      console.log(valid ? 'powers of tau: VALID' : 'powers of tau: INVALID');
      if (!valid) process.exitCode = 1;
      break;
    }
    case 'init': console.log(`circuit hash ${await initPhase2(r1cs(), required(values, 'ptau'), required(values, 'out'))}`); break;
    case 'contribute': console.log(`contribution hash ${await contributePhase2(required(values, 'in'), required(values, 'out'), required(values, 'name'), values.entropy)}`); break;
    case 'beacon': console.log(`beacon contribution hash ${await beaconPhase2(required(values, 'in'), required(values, 'out'), required(values, 'beacon'))}`); break;
    case 'verify': {
      for (const zkey of values.zkey ?? []) {
        const valid = await verifyPhase2(r1cs(), required(values, 'ptau'), zkey, collectingLogger([], true));
        console.log(`${zkey}: ${valid ? 'VALID' : 'INVALID'}`);
        if (!valid) process.exitCode = 1;
      }
      break;
    }
    case 'export': {
      const key = await exportVerificationKey(required(values, 'zkey'), required(values, 'out'), false);
      console.log(`verification key hash ${verificationKeyHash(key)}`);
      break;
    }
    case 'dev': await developmentSetup(instanceName); break;
    default: throw new Error(`Unknown command "${command ?? ''}"; see the header of scripts/zk/ceremony.ts`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await main();
  } finally {
    await terminateCurve();
  }
}
