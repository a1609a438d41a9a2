/**
 * The shape of `circuits/circuits.json`: every circuit instance Courtyard compiles,
 * named once, with the template, its parameters and its public signals.
 */

export interface CircuitInstance {
  /** The `.circom` file in `circuits/`, without extension. */
  file: string;
  template: string;
  params: number[];
  /** The template's public inputs, as listed in `component main {public [...]}`. */
  pubs: string[];
  /** The public signals in the order snarkjs reports them: outputs first, then inputs. */
  publicSignals: string[];
  /**
   * The smallest powers of tau the instance can be set up from: its Groth16 domain,
   * 2^power > constraints + public signals. A larger prepared ptau serves as well.
   */
  powersOfTau: number;
}

export type CircuitManifest = Record<string, CircuitInstance>;

/**
 * The instance used when none is named: membership at depth 20, the only depth there was
 * before depths were declared (src/zk/membership-depths.ts).
 */
export const DEFAULT_MEMBERSHIP_INSTANCE = 'membership-20';

/** Build metadata written next to the compiled artifacts by `scripts/zk/build-circuits.ts`. */
export interface CircuitBuildRecord {
  instance: string;
  compiler: string;
  flags: string[];
  constraints: number;
  publicSignals: string[];
  r1csSha256: string;
  wasmSha256: string;
}
