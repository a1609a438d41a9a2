// Rate a service anonymously as a household, for a month (YYYY-MM); a later rating replaces it.
import {
  CourtyardClient,
  decryptIdentity,
  fetchCensus,
  fetchProvingArtifacts,
  operations,
  proveAnonymousRating,
  submitAnonymousRating,
} from '../../src/client/index.ts';

export async function rateAnonymously(
  origin: string,
  token: string,
  sealedIdentity: string,
  passphrase: string,
  communityId: string,
  period: string,
) {
  const client = new CourtyardClient({ origin, token });
  const identity = await decryptIdentity(sealedIdentity, passphrase);
  const { ratingSubjects } = await client.request(operations.RATING_SUBJECTS, { communityId, period });
  const subject = ratingSubjects.find((candidate) => candidate.active)!;
  const { leaves, current } = await fetchCensus(client, communityId, 'HOUSEHOLDS');
  const artifacts = await fetchProvingArtifacts({ origin, depth: current.depth });
  const rating = { subject, period, score: 4, comment: '保洁很及时 Cleaning is on time' };
  const proof = await proveAnonymousRating(artifacts, { identity, rating, leaves, pinned: current });
  return submitAnonymousRating(client, rating, proof);
}
