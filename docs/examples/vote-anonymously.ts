// Vote anonymously on a proposal: prove on the device, send with no session, check the receipt.
import {
  CourtyardClient,
  castAnonymousBallot,
  checkBallotReceipt,
  decryptIdentity,
  fetchCensusLeaves,
  fetchProposal,
  fetchProvingArtifacts,
  proveAnonymousBallot,
} from '../../src/client/index.ts';

export async function voteAnonymously(
  origin: string,
  token: string,
  sealedIdentity: string,
  passphrase: string,
  proposalId: string,
  choice: string,
) {
  const client = new CourtyardClient({ origin, token });
  const identity = await decryptIdentity(sealedIdentity, passphrase);
  const proposal = await fetchProposal(client, proposalId);
  // The census's public leaves rebuild the pinned tree: the server never learns which leaf is ours.
  const leaves = await fetchCensusLeaves(client, proposal.community.id, proposal.census);
  const artifacts = await fetchProvingArtifacts({ origin, depth: proposal.snapshot!.depth });
  const proof = await proveAnonymousBallot(artifacts, { identity, proposal, choice, leaves });
  // Voting again later sends a proof with the same nullifier: it replaces this ballot.
  return castAnonymousBallot(client, { proposalId, choice, proof });
}

export async function receiptIsIncluded(origin: string, proposalId: string, nullifier: string) {
  const checked = await checkBallotReceipt(new CourtyardClient({ origin }), { proposalId, nullifier });
  return checked.included && checked.counted; // with checked.inclusionProof to verify yourself
}
