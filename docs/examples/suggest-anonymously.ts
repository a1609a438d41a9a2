// Send an anonymous suggestion (建议) as a household: slot 0–2, at most three a day.
import {
  CourtyardClient,
  decryptIdentity,
  fetchCensus,
  fetchProvingArtifacts,
  proveAnonymousSuggestion,
  submitAnonymousSuggestion,
} from '../../src/client/index.ts';

export async function suggestAnonymously(
  origin: string,
  token: string,
  sealedIdentity: string,
  passphrase: string,
  communityId: string,
) {
  const client = new CourtyardClient({ origin, token });
  const identity = await decryptIdentity(sealedIdentity, passphrase);
  const { leaves, current } = await fetchCensus(client, communityId, 'HOUSEHOLDS');
  const artifacts = await fetchProvingArtifacts({ origin, depth: current.depth });
  const suggestion = { communityId, title: '路灯坏了', body: 'The lamp by gate 3 is out.', slot: 0 };
  const proof = await proveAnonymousSuggestion(artifacts, { identity, suggestion, leaves, pinned: current });
  return submitAnonymousSuggestion(client, suggestion, proof);
}
