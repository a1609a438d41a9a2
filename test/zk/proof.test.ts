/**
 * Proof tests: a membership proof made with the committed (insecure development) keys
 * verifies, and every tampering with it is refused, each with its own code.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as snarkjs from 'snarkjs';
import { BN254_BASE_FIELD, SNARK_SCALAR_FIELD } from '../../src/zk/field.ts';
import { membershipNullifier } from '../../src/zk/identity.ts';
import type { MembershipProof } from '../../src/zk/prover.ts';
import { MAX_PROOF_JSON_BYTES, parseProofJson } from '../../src/zk/proof-format.ts';
import { verifyMembershipProof } from '../../src/zk/verifier.ts';
import type { MembershipExpectations } from '../../src/zk/verifier.ts';
import { REPOSITORY_ROOT } from '../../src/zk/artifacts-node.ts';
import { copy, createCensusFixture, rejectionCode } from './support/membership-fixture.ts';
import type { CensusFixture } from './support/membership-fixture.ts';

const SCOPE = 7_001n;
const OTHER_SCOPE = 7_002n;
const MESSAGE = 2n;

let census: CensusFixture;
let proof: MembershipProof;
let otherScopeProof: MembershipProof;
let expectations: MembershipExpectations;

beforeAll(async () => {
  census = await createCensusFixture();
  proof = await census.prove(SCOPE, MESSAGE);
  otherScopeProof = await census.prove(OTHER_SCOPE, MESSAGE);
  expectations = { roots: [census.merkleProof.root], scope: SCOPE };
}, 60_000);

const verify = (candidate: unknown, signals: unknown, overrides: Partial<MembershipExpectations> = {}) =>
  verifyMembershipProof(census.artifacts.verificationKey, candidate, signals, { ...expectations, ...overrides });

function withSignal(index: number, value: bigint): string[] {
  const signals = [...proof.publicSignals];
  signals[index] = value.toString();
  return signals;
}

describe('membership proof', () => {
  it('verifies, and yields the nullifier Poseidon(scope, secret) and the public values', async () => {
    const verified = await verify(proof.proof, proof.publicSignals, { message: MESSAGE, attribute: census.attribute });
    expect(verified).toEqual({
      nullifier: await membershipNullifier(SCOPE, census.identity.secret),
      root: census.merkleProof.root,
      attribute: census.attribute,
      scope: SCOPE,
      message: MESSAGE,
    });
  });

  it('verifies against a set of recent roots that contains its root', async () => {
    await expect(verify(proof.proof, proof.publicSignals, { roots: new Set([1n, census.merkleProof.root, 2n]) })).resolves.toBeDefined();
  });

  it.each([
    ['nullifier', 0], ['root', 1], ['attribute', 2], ['scope', 3], ['message', 4],
  ])('fails the pairing after the %s signal changes', async (_name, index) => {
    const changed = BigInt(proof.publicSignals[index]!) + 1n;
    const signals = withSignal(index, changed);
    // Expectations follow the edit so that only the pairing can catch it.
    const overrides: Partial<MembershipExpectations> = index === 1 ? { roots: [changed] } : index === 3 ? { scope: changed } : {};
    expect(await rejectionCode(verify(proof.proof, signals, overrides))).toBe('INVALID_PROOF');
  });

  it('refuses a signal replaced by itself plus the field modulus, as snarkjs does', async () => {
    for (const index of [0, 1, 2, 3, 4]) {
      const signals = withSignal(index, BigInt(proof.publicSignals[index]!) + SNARK_SCALAR_FIELD);
      expect(await rejectionCode(verify(proof.proof, signals))).toBe('PUBLIC_SIGNAL_OUT_OF_FIELD');
      expect(await snarkjs.groth16.verify(census.artifacts.verificationKey, signals, proof.proof)).toBe(false);
    }
  });

  it('refuses a proof with a point taken from another proof', async () => {
    for (const point of ['pi_a', 'pi_b', 'pi_c'] as const) {
      const mixed = copy(proof.proof);
      (mixed as unknown as Record<string, unknown>)[point] = copy(otherScopeProof.proof[point]);
      expect(await rejectionCode(verify(mixed, proof.publicSignals))).toBe('INVALID_PROOF');
    }
  });

  it('refuses a proof for another scope', async () => {
    expect(await rejectionCode(verify(otherScopeProof.proof, otherScopeProof.publicSignals))).toBe('SCOPE_MISMATCH');
    // Claiming the expected scope with the other proof's points fails the pairing.
    expect(await rejectionCode(verify(otherScopeProof.proof, proof.publicSignals))).toBe('INVALID_PROOF');
  });

  it('refuses an unknown root, another message, another attribute and a used nullifier', async () => {
    expect(await rejectionCode(verify(proof.proof, proof.publicSignals, { roots: [census.merkleProof.root + 1n] }))).toBe('ROOT_UNKNOWN');
    expect(await rejectionCode(verify(proof.proof, proof.publicSignals, { roots: [] }))).toBe('ROOT_UNKNOWN');
    expect(await rejectionCode(verify(proof.proof, proof.publicSignals, { message: MESSAGE + 1n }))).toBe('MESSAGE_MISMATCH');
    expect(await rejectionCode(verify(proof.proof, proof.publicSignals, { attribute: 1n }))).toBe('ATTRIBUTE_MISMATCH');
    const nullifier = BigInt(proof.publicSignals[0]!);
    const isNullifierUsed = async (candidate: bigint, scope: bigint) => candidate === nullifier && scope === SCOPE;
    expect(await rejectionCode(verify(proof.proof, proof.publicSignals, { isNullifierUsed }))).toBe('NULLIFIER_USED');
  });

  it('checks the number of public signals, which snarkjs does not', async () => {
    expect(await rejectionCode(verify(proof.proof, [...proof.publicSignals, '0']))).toBe('PUBLIC_SIGNAL_COUNT');
    expect(await rejectionCode(verify(proof.proof, proof.publicSignals.slice(0, 4)))).toBe('PUBLIC_SIGNAL_COUNT');
    expect(await rejectionCode(verify(proof.proof, 'not a list'))).toBe('PUBLIC_SIGNAL_COUNT');
  });

  it('refuses public signals that are not canonical decimal strings', async () => {
    for (const bad of ['0x7', '007', ' 7', '-7', '', 7]) {
      const signals: unknown[] = [...proof.publicSignals];
      signals[3] = bad;
      expect(await rejectionCode(verify(proof.proof, signals))).toBe('PUBLIC_SIGNAL_MALFORMED');
    }
  });

  it('refuses malformed proofs before any curve arithmetic', async () => {
    const cases: Array<(candidate: Record<string, any>) => void> = [
      (candidate) => (candidate['protocol'] = 'plonk'),
      (candidate) => (candidate['curve'] = 'bls12381'),
      (candidate) => (candidate['pi_a'] = candidate['pi_a'].slice(0, 2)),
      (candidate) => (candidate['pi_a'][2] = '2'),
      (candidate) => (candidate['pi_b'][2] = ['1', '1']),
      (candidate) => (candidate['pi_c'][0] = (BigInt(candidate['pi_c'][0]) + BN254_BASE_FIELD).toString()),
      (candidate) => (candidate['pi_b'][0][1] = '0x1'),
    ];
    for (const edit of cases) {
      const candidate = copy(proof.proof) as unknown as Record<string, any>;
      edit(candidate);
      expect(await rejectionCode(verify(candidate, proof.publicSignals))).toBe('PROOF_MALFORMED');
    }
    expect(await rejectionCode(verify(null, proof.publicSignals))).toBe('PROOF_MALFORMED');
  });

  it('refuses points off the curve, at infinity, or outside the G2 subgroup', async () => {
    const offCurve = copy(proof.proof);
    offCurve.pi_a[1] = (BigInt(offCurve.pi_a[1]!) + 1n).toString();
    expect(await rejectionCode(verify(offCurve, proof.publicSignals))).toBe('PROOF_POINT_INVALID');
    const infinity = copy(proof.proof);
    infinity.pi_c = ['0', '0', '1'];
    expect(await rejectionCode(verify(infinity, proof.publicSignals))).toBe('PROOF_POINT_INVALID');
    // x = 2 + u lies on the twist y^2 = x^3 + b' but r * P is not the identity.
    const outsideSubgroup = copy(proof.proof);
    outsideSubgroup.pi_b = [
      ['2', '1'],
      ['7292567877523311580221095596750716176434782432868683424513645834767876293070', '19659275751359636165940301690575149581329631496732780143538578556285923319774'],
      ['1', '0'],
    ];
    expect(await rejectionCode(verify(outsideSubgroup, proof.publicSignals))).toBe('PROOF_POINT_INVALID');
  });

  it('round-trips through JSON text, and refuses proof JSON over the size limit or not JSON', async () => {
    const parsed = parseProofJson(JSON.stringify(proof));
    await expect(verify(parsed.proof, parsed.publicSignals)).resolves.toBeDefined();
    const padded = JSON.stringify({ ...proof, padding: 'x'.repeat(MAX_PROOF_JSON_BYTES) });
    expect(() => parseProofJson(padded)).toThrow(expect.objectContaining({ code: 'PROOF_MALFORMED' }));
    expect(() => parseProofJson('{"proof":')).toThrow(/not valid JSON/);
    expect(() => parseProofJson('42')).toThrow(/not an object/);
  });

  it('refuses a verification key for another number of public signals', async () => {
    const key = { ...census.artifacts.verificationKey, nPublic: 4, IC: census.artifacts.verificationKey.IC.slice(0, 5) };
    expect(await rejectionCode(verifyMembershipProof(key, proof.proof, proof.publicSignals, expectations))).toBe('VERIFICATION_KEY_INVALID');
  });

  it('accepts a malleated proof with the same nullifier, which is why only nullifiers identify ballots', async () => {
    const negate = (value: string) => (BN254_BASE_FIELD - BigInt(value)).toString();
    const malleated = copy(proof.proof);
    malleated.pi_a[1] = negate(malleated.pi_a[1]!);
    malleated.pi_b[1] = malleated.pi_b[1]!.map(negate);
    expect(JSON.stringify(malleated)).not.toBe(JSON.stringify(proof.proof));
    const verified = await verify(malleated, proof.publicSignals);
    expect(verified.nullifier).toBe(BigInt(proof.publicSignals[0]!));
  });

  it('verifies with the stock snarkjs command line once exported as JSON, and fails there when tampered', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'courtyard-zk-'));
    try {
      const files = { vkey: join(directory, 'vkey.json'), publicSignals: join(directory, 'public.json'), proof: join(directory, 'proof.json') };
      await writeFile(files.vkey, JSON.stringify(census.artifacts.verificationKey));
      await writeFile(files.publicSignals, JSON.stringify(proof.publicSignals));
      await writeFile(files.proof, JSON.stringify(proof.proof));
      const cli = (args: string[]) => promisify(execFile)(join(REPOSITORY_ROOT, 'node_modules/.bin/node'), [join(REPOSITORY_ROOT, 'node_modules/snarkjs/build/cli.cjs'), ...args]);
      const { stdout } = await cli(['groth16', 'verify', files.vkey, files.publicSignals, files.proof]);
      expect(stdout).toMatch(/OK!/);
      await writeFile(files.publicSignals, JSON.stringify(withSignal(4, MESSAGE + 1n)));
      await expect(cli(['groth16', 'verify', files.vkey, files.publicSignals, files.proof])).rejects.toMatchObject({ stdout: expect.stringMatching(/Invalid proof/) });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
