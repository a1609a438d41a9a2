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
 *   dev [--instance NAME] [--force]
 *                           one command: phase 2 with one random contribution and a random
 *                           beacon over the development ptau. INSECURE: whoever runs it may
 *                           know the toxic waste. Files and key say so. Without --instance it
 *                           sets up every instance of circuits/circuits.json that has no
 *                           set-up yet; an existing set-up is replaced only with --force
 *                           (a new key invalidates every key activation that named the old one).
 *
 * One phase-1 file serves every instance: a prepared powers of tau of 2^p sets up any circuit
 * whose domain is 2^p or smaller. `dev` takes the smallest committed development ptau
 * (circuits/build/ptau/pot<p>.insecure-dev.ptau) that is large enough, and makes one, of the
 * largest power circuits/circuits.json names, only when none is.
 *
 * Run with: node_modules/.bin/node scripts/zk/ceremony.ts COMMAND [options]
 * Contributions take `--entropy TEXT`; without it 64 random bytes are drawn.
 */
import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
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
/** The largest powers of tau snarkjs (and BN254's 2-adicity) supports. */
export const MAX_POWERS_OF_TAU = 28;
const DEVELOPMENT_PTAU_PATTERN = /^pot(\d+)\.insecure-dev\.ptau$/u;

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

export function requirePower(power: number): number {
  if (!Number.isInteger(power) || power < 1 || power > MAX_POWERS_OF_TAU) {
    throw new RangeError(`Invalid power: ${power} is not an integer from 1 to ${MAX_POWERS_OF_TAU}`);
  }
  return power;
}

export async function newPowersOfTau(power: number, out: string): Promise<void> {
  await snarkjs.powersOfTau.newAccumulator(await getCurve(), requirePower(power), out);
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

/**
 * The initial phase-2 zkey; returns the circuit hash snarkjs derives from the r1cs. Any
 * prepared ptau of a power at least the circuit's domain will do (one file serves every
 * instance); snarkjs's refusal (too small, not prepared) becomes an error.
 */
export async function initPhase2(r1cs: string, ptau: string, out: string): Promise<string> {
  const logger = collectingLogger();
  const hash = await snarkjs.zKey.newZKey(r1cs, ptau, out, logger);
  if (hash === -1) throw new Error(`Failed to start phase 2: ${logger.lines.join('; ') || 'snarkjs refused the r1cs or the ptau'}`);
  return hex(hash);
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

/**
 * The phase-1 file an instance needing 2^`needed` should use: the smallest available power
 * that is at least `needed`, or undefined when none is large enough.
 */
export function choosePowersOfTau(available: readonly number[], needed: number): number | undefined {
  return [...available].filter((power) => power >= needed).sort((a, b) => a - b)[0];
}

/** Powers of the development ptau files present in circuits/build/ptau/. */
async function availableDevelopmentPowers(): Promise<number[]> {
  const directory = join(repositoryRoot, 'circuits', 'build', 'ptau');
  const names = await readdir(directory).catch(() => [] as string[]);
  return names.flatMap((name) => {
    const match = DEVELOPMENT_PTAU_PATTERN.exec(name);
    return match ? [Number(match[1])] : [];
  });
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

/** The development ptau for an instance needing 2^`needed`, made (one for all instances) if missing. */
async function developmentPowersOfTauFor(needed: number, manifest: CircuitManifest, scratch: string): Promise<string> {
  const chosen = choosePowersOfTau(await availableDevelopmentPowers(), needed);
  if (chosen !== undefined) return ptauPath(repositoryRoot, chosen);
  const power = Math.max(needed, ...Object.values(manifest).map((instance) => instance.powersOfTau));
  const ptau = ptauPath(repositoryRoot, power);
  await mkdir(join(ptau, '..'), { recursive: true });
  await developmentPowersOfTau(power, ptau, scratch);
  return ptau;
}

/** The one-command development setup of one instance. Everything it writes is labelled INSECURE. */
export async function developmentSetup(instanceName: string, manifest: CircuitManifest): Promise<void> {
  const instance = manifest[instanceName];
  if (!instance) throw new Error(`Failed to set up: no instance "${instanceName}" in circuits/circuits.json`);
  const paths = developmentSetupPaths(repositoryRoot, instanceName);
  if (!(await exists(paths.r1cs))) throw new Error(`Failed to set up ${instanceName}: no ${paths.r1cs}; run npm run circuits:build first`);
  const scratch = join(repositoryRoot, 'circuits', 'build', 'tmp', `setup-${process.pid}`);
  await mkdir(scratch, { recursive: true });
  try {
    const ptau = await developmentPowersOfTauFor(instance.powersOfTau, manifest, scratch);
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
      ptau: basename(ptau),
      ptauSha256: await sha256File(ptau),
      zkeySha256: await sha256File(paths.zkey),
      verificationKeyHash: verificationKeyHash(key),
      contributions: [{ name: 'Courtyard development contribution (INSECURE)', hash: contributionHash }],
      beacon: { value: beacon, iterationsExponent: BEACON_ITERATIONS_EXPONENT, hash: beaconHash },
    };
    await writeFile(paths.setupRecord, `${JSON.stringify(record, null, 2)}\n`);
    console.log(`INSECURE development setup for ${instanceName} written (phase 1: ${basename(ptau)}):\n  ${paths.zkey}\n  ${paths.verificationKey}\n  ${paths.setupRecord}`);
    console.log(`verification key hash ${record.verificationKeyHash} (INSECURE)`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * `dev`: the named instance, or every instance without a set-up. An existing set-up is kept
 * unless `force`: replacing it changes the verification key communities may have activated.
 */
async function developmentSetups(instanceName: string | undefined, force: boolean): Promise<void> {
  const manifest = await readManifest();
  const names = instanceName ? [instanceName] : Object.keys(manifest);
  for (const name of names) {
    if (!force && (await exists(developmentSetupPaths(repositoryRoot, name).setupRecord))) {
      console.log(`${name}: a development set-up exists; kept (pass --force to replace it and its verification key)`);
      continue;
    }
    await developmentSetup(name, manifest);
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
      zkey: { type: 'string', multiple: true }, force: { type: 'boolean', default: false },
    },
  });
  const [command] = positionals;
  const r1cs = () => developmentSetupPaths(repositoryRoot, required(values, 'instance')).r1cs;
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
    case 'dev': await developmentSetups(values.instance, values.force ?? false); break;
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
