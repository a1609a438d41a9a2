/**
 * A served installation ready for membership proofs: a test app listening on a loopback
 * port, a community (test/support/fixtures.ts) with a committee member, and the depth-10
 * membership key activated, as the SDK, portal and browser tests need before anyone joins
 * a census and proves.
 */
import { createTestApp, mutate, type TestApp } from './app.ts';
import { createCommunityFixture, type CommunityFixture } from './fixtures.ts';
import { createCommittee } from '../governance/support/governance-fixture.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';

/** Activates the community's depth-10 membership verification key (as the admin). */
export async function activateMembershipKey(testApp: TestApp, communityId: string): Promise<void> {
  await mutate(
    testApp,
    'activateVerificationKey',
    `mutation ($id: ID!) { activateVerificationKey(communityId: $id, instance: "membership-10") {
    __typename ... on MutationActivateVerificationKeySuccess { data { hash } } ... on Error { code message } } }`,
    { id: communityId },
    testApp.adminToken,
  );
}

export interface ProofCommunity {
  testApp: TestApp;
  server: RunningServer;
  community: CommunityFixture;
  /** A committee member of the community, signed in as `<slug>-committee`. */
  committee: { id: string; token: string };
  dispose(): Promise<void>;
}

export async function serveProofCommunity(slug: string): Promise<ProofCommunity> {
  const testApp = await createTestApp();
  const server = await listen(testApp.app, '127.0.0.1', 0);
  const dispose = async () => {
    await server.close();
    await testApp.dispose();
  };
  try {
    const community = await createCommunityFixture(testApp, slug);
    const committee = await createCommittee(testApp, `${slug}-committee`, [community.id]);
    await activateMembershipKey(testApp, community.id);
    return { testApp, server, community, committee, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
