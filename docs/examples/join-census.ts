// Sign in, redeem an invite with a commitment made on the device, keep the sealed identity.
import {
  CourtyardClient,
  createIdentity,
  encryptIdentity,
  operations,
  requireSuccess,
} from '../../src/client/index.ts';

export async function joinWithInvite(origin: string, login: string, password: string, inviteCode: string) {
  const anonymous = new CourtyardClient({ origin });
  const session = requireSuccess((await anonymous.request(operations.LOGIN, { login, password })).login);
  const client = new CourtyardClient({ origin, token: session.token });
  const identity = await createIdentity();
  // Only the commitment is sent; the secret stays here.
  const joined = requireSuccess(
    (await client.request(operations.JOIN_CENSUS, { inviteCode, identityCommitment: String(identity.commitment) }))
      .joinCensus,
  );
  return { token: session.token, census: joined.kind, sealedIdentity: await encryptIdentity(identity, password) };
}
