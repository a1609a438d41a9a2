// Create an identity on the device, seal it under a passphrase, open it again.
import { createIdentity, decryptIdentity, encryptIdentity } from '../../src/client/index.ts';

export async function backUpAndRestore(passphrase: string) {
  const identity = await createIdentity();
  // One line of text: courtyard-identity-v2:scrypt:17:8:1:<salt>:<nonce>:<sealed secret>
  const backup = await encryptIdentity(identity, passphrase);
  const restored = await decryptIdentity(backup, passphrase); // WRONG_PASSPHRASE if it is not
  return { backup, sameCommitment: restored.commitment === identity.commitment };
}
