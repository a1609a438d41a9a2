// The parts of snarkjs and circomlibjs Courtyard uses; neither package ships types.

declare module 'circomlibjs' {
  interface PoseidonField {
    toObject(element: Uint8Array): bigint;
    e(value: bigint | string | number): Uint8Array;
  }
  interface RawPoseidon {
    (inputs: Array<bigint | string | number>, initialState?: bigint, outputs?: number): Uint8Array;
    F: PoseidonField;
  }
  export function buildPoseidon(): Promise<RawPoseidon>;
}

declare module 'snarkjs' {
  /** A file as snarkjs's fastfile takes it: a path in Node, bytes, or an in-memory file. */
  export type SnarkjsFile = string | Uint8Array | { type: 'mem'; data?: Uint8Array } | { type: 'bigMem' };

  export interface SnarkjsLogger {
    debug(message: string): void;
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
  }

  export interface Groth16ProofJson {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }

  export interface Groth16VerificationKeyJson {
    protocol: string;
    curve: string;
    nPublic: number;
    vk_alpha_1: string[];
    vk_beta_2: string[][];
    vk_gamma_2: string[][];
    vk_delta_2: string[][];
    vk_alphabeta_12?: unknown;
    IC: string[][];
  }

  /** The subset of ffjavascript's curve objects that Courtyard calls. */
  export interface CurveGroup {
    F: { n8: number; isZero(element: Uint8Array): boolean };
    zero: Uint8Array;
    /** The group's generator. */
    g: Uint8Array;
    fromObject(point: Array<bigint | string>): Uint8Array;
    toAffine(point: Uint8Array): Uint8Array;
    toJacobian(point: Uint8Array): Uint8Array;
    /** Affine coordinates as integers: [x, y] in G1, [[x0, x1], [y0, y1], …] in G2. */
    toObject(point: Uint8Array): unknown[];
    isValid(point: Uint8Array): boolean;
    isZero(point: Uint8Array): boolean;
    neg(point: Uint8Array): Uint8Array;
    add(left: Uint8Array, right: Uint8Array): Uint8Array;
    timesScalar(point: Uint8Array, scalar: bigint | Uint8Array): Uint8Array;
    eq(left: Uint8Array, right: Uint8Array): boolean;
    multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>;
  }

  export interface Curve {
    name: string;
    r: bigint;
    q: bigint;
    G1: CurveGroup;
    G2: CurveGroup;
    Fr: { n8: number };
    /** The pairing's target group (Fp12), elements in snarkjs's byte form. */
    Gt: { one: Uint8Array; mul(left: Uint8Array, right: Uint8Array): Uint8Array; eq(left: Uint8Array, right: Uint8Array): boolean };
    prepareG1(jacobianPoint: Uint8Array): Uint8Array;
    prepareG2(jacobianPoint: Uint8Array): Uint8Array;
    millerLoop(preparedG1: Uint8Array, preparedG2: Uint8Array): Uint8Array;
    finalExponentiation(element: Uint8Array): Uint8Array;
    pairingEq(...pointsAndTarget: Uint8Array[]): Promise<boolean>;
    terminate(): Promise<void>;
  }

  export const groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasm: SnarkjsFile,
      zkey: SnarkjsFile,
      logger?: SnarkjsLogger,
      witnessOptions?: unknown,
      proverOptions?: { singleThread?: boolean },
    ): Promise<{ proof: Groth16ProofJson; publicSignals: string[] }>;
    /** The proving step alone, from a witness file (`.wtns` bytes or a mem file). */
    prove(
      zkey: SnarkjsFile,
      witness: SnarkjsFile,
      logger?: SnarkjsLogger,
      proverOptions?: { singleThread?: boolean },
    ): Promise<{ proof: Groth16ProofJson; publicSignals: string[] }>;
    verify(
      verificationKey: Groth16VerificationKeyJson,
      publicSignals: readonly string[],
      proof: Groth16ProofJson,
      logger?: SnarkjsLogger,
    ): Promise<boolean>;
  };

  export const powersOfTau: {
    newAccumulator(curve: Curve, power: number, file: SnarkjsFile, logger?: SnarkjsLogger): Promise<unknown>;
    contribute(oldFile: SnarkjsFile, newFile: SnarkjsFile, name: string, entropy: string, logger?: SnarkjsLogger): Promise<Uint8Array>;
    beacon(oldFile: SnarkjsFile, newFile: SnarkjsFile, name: string, beaconHashHex: string, iterationsExponent: number, logger?: SnarkjsLogger): Promise<Uint8Array>;
    preparePhase2(oldFile: SnarkjsFile, newFile: SnarkjsFile, logger?: SnarkjsLogger): Promise<void>;
    verify(file: SnarkjsFile, logger?: SnarkjsLogger): Promise<boolean>;
  };

  export const zKey: {
    /** -1 (after logging why) when the circuit is too large for the ptau, or the ptau is not prepared. */
    newZKey(r1cs: SnarkjsFile, ptau: SnarkjsFile, zkey: SnarkjsFile, logger?: SnarkjsLogger): Promise<Uint8Array | -1>;
    contribute(oldZkey: SnarkjsFile, newZkey: SnarkjsFile, name: string, entropy: string, logger?: SnarkjsLogger): Promise<Uint8Array>;
    beacon(oldZkey: SnarkjsFile, newZkey: SnarkjsFile, name: string, beaconHashHex: string, iterationsExponent: number, logger?: SnarkjsLogger): Promise<Uint8Array | false>;
    verifyFromR1cs(r1cs: SnarkjsFile, ptau: SnarkjsFile, zkey: SnarkjsFile, logger?: SnarkjsLogger): Promise<boolean>;
    verifyFromInit(initialZkey: SnarkjsFile, ptau: SnarkjsFile, zkey: SnarkjsFile, logger?: SnarkjsLogger): Promise<boolean>;
    exportVerificationKey(zkey: SnarkjsFile, logger?: SnarkjsLogger): Promise<Groth16VerificationKeyJson>;
  };

  export const wtns: {
    calculate(input: Record<string, unknown>, wasm: SnarkjsFile, out: SnarkjsFile): Promise<void>;
    exportJson(wtns: SnarkjsFile): Promise<bigint[]>;
    check(r1cs: SnarkjsFile, wtns: SnarkjsFile, logger?: SnarkjsLogger): Promise<boolean>;
  };

  export const curves: {
    getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<Curve>;
  };
}

/** The witness runtime snarkjs itself uses (the same pinned version), imported to reuse one calculator per circuit. */
declare module 'circom_runtime' {
  export interface WitnessCalculator {
    /** The witness as a `.wtns` file, the form snarkjs's prover reads. */
    calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean): Promise<Uint8Array>;
  }
  export function WitnessCalculatorBuilder(wasm: Uint8Array, options?: { memorySize?: number }): Promise<WitnessCalculator>;
}
