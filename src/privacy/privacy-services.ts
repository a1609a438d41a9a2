/**
 * The privacy module's long-lived services: the vault's keys (the installation's master
 * key wraps every household's data key and derives the blind-index keys).
 */
import type { ModuleRuntime } from '../kernel/domain-module.ts';
import type { VaultDependencies } from './vault.ts';

export interface PrivacyServices {
  vault: VaultDependencies;
}

declare module '../kernel/domain-module.ts' {
  interface ModuleServices {
    privacy: PrivacyServices;
  }
}

export function createPrivacyServices(runtime: ModuleRuntime): PrivacyServices {
  return { vault: { masterKey: runtime.keys.masterKey } };
}
