/**
 * A resident's identity on their own device: created locally, backed up as one line of
 * text the resident keeps (a password manager, a printout), restored from that text.
 * The secret never leaves the device; only the commitment is sent when joining a census.
 */
import { createIdentity, exportIdentitySecret, importIdentitySecret } from '../zk/identity.ts';
import type { Identity } from '../zk/identity.ts';

/** The backup text: `courtyard-identity-v1:` and 64 hex digits. Treat it as a password. */
export function backupIdentity(identity: Identity): string {
  return exportIdentitySecret(identity.secret);
}

/** Rebuilds the identity (secret and commitment) from its backup text; rejects with RangeError if the text is malformed. */
export async function restoreIdentity(backup: string): Promise<Identity> {
  return createIdentity(importIdentitySecret(backup));
}
