/**
 * Where the build and the set-up put each artifact, relative to the repository root.
 * Pure string joining (no node: imports) so any module can name the files.
 */

export interface InstanceArtifactPaths {
  directory: string;
  r1cs: string;
  wasm: string;
  buildRecord: string;
  /** The proving key of the development setup; the name says it is insecure. */
  zkey: string;
  verificationKey: string;
  setupRecord: string;
}

function join(...parts: string[]): string {
  return parts.map((part, index) => (index === 0 ? part.replace(/\/+$/, '') : part.replace(/^\/+|\/+$/g, ''))).join('/');
}

export function developmentSetupPaths(repositoryRoot: string, instance: string): InstanceArtifactPaths {
  const directory = join(repositoryRoot, 'circuits', 'build', instance);
  return {
    directory,
    r1cs: join(directory, `${instance}.r1cs`),
    wasm: join(directory, `${instance}.wasm`),
    buildRecord: join(directory, 'build.json'),
    zkey: join(directory, `${instance}.insecure-dev.zkey`),
    verificationKey: join(directory, `${instance}.insecure-dev.vkey.json`),
    setupRecord: join(directory, 'setup.insecure-dev.json'),
  };
}

/** The phase-2-ready development powers of tau of 2^power. */
export function ptauPath(repositoryRoot: string, power: number): string {
  return join(repositoryRoot, 'circuits', 'build', 'ptau', `pot${power}.insecure-dev.ptau`);
}
