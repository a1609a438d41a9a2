import { ed25519 } from '@noble/curves/ed25519.js';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { appendEntries } from '../../src/ledger/append-entry.ts';
import { integratePending } from '../../src/ledger/integrator.ts';
import { parseCheckpointBody } from '../../src/ledger/checkpoint.ts';
import { cutCheckpoint } from '../../src/ledger/checkpoints.ts';
import { cosignCheckpoint } from '../../src/ledger/cosignature.ts';
import { entryLeafBytes } from '../../src/ledger/entry-encoding.ts';
import { fromHex, leafHash, toHex } from '../../src/ledger/merkle-hash.ts';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/proof-verifier.ts';
import { noteHasValidSignature, parseNote } from '../../src/ledger/signed-note.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { createAccount, createCommunityFixture, grantRole, type CommunityFixture } from '../support/fixtures.ts';

const ENTRIES = `query ($communityId: ID!, $first: Int, $after: String, $type: String, $since: DateTime, $until: DateTime) {
  ledgerEntries(communityId: $communityId, first: $first, after: $after, type: $type, since: $since, until: $until) {
    edges { cursor node { id seq type payload actor time leafHash } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const REGISTER = `mutation ($communityId: ID!, $name: String!, $publicKey: Hex!) {
  registerWitnessKey(communityId: $communityId, name: $name, publicKey: $publicKey) {
    __typename
    ... on MutationRegisterWitnessKeySuccess { data { keyName role verifierKey } }
    ... on Error { code message }
  }
}`;

const COSIGN = `mutation ($communityId: ID!, $treeSize: BigInt!, $keyName: String!, $timestampSeconds: BigInt!, $signature: Hex!) {
  cosignCheckpoint(communityId: $communityId, treeSize: $treeSize, keyName: $keyName,
                   timestampSeconds: $timestampSeconds, signature: $signature) {
    __typename
    ... on MutationCosignCheckpointSuccess { data { treeSize final cosignatures { keyName } note } }
    ... on Error { code message }
  }
}`;

/** The uuid inside a relay global id ("Community:<uuid>", base64). */
function localId(globalId: string): string {
  return Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
}

async function rowCount(testApp: TestApp): Promise<number> {
  const [row] = await testApp.database.orm.em.getConnection().execute(
    `select (select count(*) from ledger_entries) + (select count(*) from ledger_witnesses)
          + (select count(*) from ledger_cosignatures) + (select count(*) from ledger_checkpoints) as total`,
  );
  return Number(row!.total);
}

describe('ledger API', () => {
  let testApp: TestApp;
  let alpha: CommunityFixture;
  let bravo: CommunityFixture;
  let committee: { id: string; token: string };
  const witnessSeed = new Uint8Array(32).fill(9);

  function em(): SqlEntityManager {
    return testApp.database.orm.em.fork() as SqlEntityManager;
  }

  async function appendCounted(communityId: string, count: number, type = 'test.counted'): Promise<void> {
    await em().transactional((transaction) =>
      appendEntries(
        transaction,
        localId(communityId),
        Array.from({ length: count }, (_, index) => ({ type, payload: { counter: index }, actor: 'system' })),
      ),
    );
    await integratePending(em(), localId(communityId));
  }

  beforeAll(async () => {
    testApp = await createTestApp();
    alpha = await createCommunityFixture(testApp, 'ledger-alpha');
    bravo = await createCommunityFixture(testApp, 'ledger-bravo');
    committee = await createAccount(testApp, 'ledger-alpha-committee');
    await grantRole(testApp, committee.id, 'COMMITTEE', { communityId: alpha.id });
    committee.token = await testApp.login('ledger-alpha-committee', 'a long enough password');
  });
  afterAll(() => testApp.dispose());

  it('records every personal-data read as a privacy.access entry with ids and purpose only', async () => {
    const read = await testApp.graphql(
      `query ($id: ID!) { householdPersonalData(householdId: $id, purpose: BILLING) {
        __typename ... on QueryHouseholdPersonalDataSuccess { data { unitLabel } } } }`,
      { id: alpha.householdId },
      alpha.managerToken,
    );
    expect(read.data.householdPersonalData.data.unitLabel).toBe(alpha.unitLabel);
    const entries = await testApp.graphql(ENTRIES, { communityId: alpha.id, type: 'privacy.access' }, alpha.residentToken);
    const [edge] = entries.data.ledgerEntries.edges;
    const payload = JSON.parse(edge.node.payload);
    expect(Object.keys(payload).sort()).toEqual(['accessId', 'accessorAccountId', 'householdId', 'purpose']);
    expect(payload).toMatchObject({ householdId: expect.any(String), accessorAccountId: expect.any(String), purpose: 'BILLING' });
    expect(edge.node.actor).toBe(payload.accessorAccountId);
    expect(JSON.stringify(entries)).not.toContain(alpha.residentName);
    expect(JSON.stringify(entries)).not.toContain(alpha.unitLabel);
  });

  it('pages entries by sequence number and filters them by type and time', async () => {
    const before = new Date(Date.now() - 1);
    // The foundation's own entries come first (community created, roles, household, the read above).
    const sizeBefore = Number((await testApp.graphql(`query ($c: ID!) { ledgerLog(communityId: $c) { size } }`, { communityId: alpha.id, c: alpha.id }, alpha.residentToken)).data.ledgerLog.size);
    expect(sizeBefore).toBeGreaterThan(0);
    await appendCounted(alpha.id, 25);
    const first = await testApp.graphql(ENTRIES, { communityId: alpha.id, first: 10 }, alpha.residentToken);
    const page = first.data.ledgerEntries;
    expect(page.edges.map((edge: any) => edge.node.seq)).toEqual(Array.from({ length: 10 }, (_, index) => String(index)));
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await testApp.graphql(ENTRIES, { communityId: alpha.id, first: 100, after: page.pageInfo.endCursor }, alpha.residentToken);
    expect(second.data.ledgerEntries.edges).toHaveLength(sizeBefore + 25 - 10);
    expect(second.data.ledgerEntries.edges[0].node.seq).toBe('10');
    expect(second.data.ledgerEntries.pageInfo.hasNextPage).toBe(false);
    const counted = await testApp.graphql(ENTRIES, { communityId: alpha.id, first: 100, type: 'test.counted', since: before.toISOString() }, alpha.residentToken);
    expect(counted.data.ledgerEntries.edges).toHaveLength(25);
    const none = await testApp.graphql(ENTRIES, { communityId: alpha.id, until: before.toISOString(), type: 'test.counted' }, alpha.residentToken);
    expect(none.data.ledgerEntries.edges).toEqual([]);
    // The leaf hash the API returns is the RFC 9162 hash of the entry it returns.
    const node = second.data.ledgerEntries.edges[0].node;
    const bytes = entryLeafBytes({ seq: 10, type: node.type, payload: JSON.parse(node.payload), actor: node.actor, time: new Date(node.time) });
    expect(node.leafHash).toBe(toHex(leafHash(bytes)));
    const single = await testApp.graphql(
      `query ($communityId: ID!) { ledgerEntry(communityId: $communityId, seq: "10") { id seq } beyond: ledgerEntry(communityId: $communityId, seq: "999") { id } }`,
      { communityId: alpha.id },
      alpha.residentToken,
    );
    expect(single.data.ledgerEntry).toEqual({ id: node.id, seq: '10' });
    expect(single.data.beyond).toBeNull();
    const viaNode = await testApp.graphql(`query ($id: ID!) { node(id: $id) { ... on LedgerEntry { seq } } }`, { id: node.id }, alpha.residentToken);
    expect(viaNode.data.node).toEqual({ seq: '10' });
  });

  it('keeps a full page read oldest first, which can never change, and reads a short one again as the log grows', async () => {
    const pages = testApp.app.services.ledger.entryPages;
    const keptBefore = pages.size;
    const full = await testApp.graphql(ENTRIES, { communityId: alpha.id, first: 5, type: 'test.counted' }, alpha.residentToken);
    expect(pages.size).toBe(keptBefore + 1);
    const size = Number((await testApp.graphql(`query ($c: ID!) { ledgerLog(communityId: $c) { size } }`, { c: alpha.id }, alpha.residentToken)).data.ledgerLog.size);
    const tail = await testApp.graphql(ENTRIES, { communityId: alpha.id, first: 100, after: full.data.ledgerEntries.edges[0].cursor }, alpha.residentToken);
    expect(pages.size).toBe(keptBefore + 1);
    await appendCounted(alpha.id, 3);
    // The same full page, now answered from memory, is what the database holds.
    const again = await testApp.graphql(ENTRIES, { communityId: alpha.id, first: 5, type: 'test.counted' }, alpha.residentToken);
    expect(again).toEqual(full);
    // The short page grew by the new entries.
    const grown = await testApp.graphql(ENTRIES, { communityId: alpha.id, first: 100, after: full.data.ledgerEntries.edges[0].cursor }, alpha.residentToken);
    expect(grown.data.ledgerEntries.edges).toHaveLength(tail.data.ledgerEntries.edges.length + 3);
    expect(grown.data.ledgerEntries.edges.at(-1).node.seq).toBe(String(size + 2));
    // Still only for readers of the log.
    const stranger = await testApp.graphql(ENTRIES, { communityId: alpha.id, first: 5, type: 'test.counted' }, bravo.residentToken);
    expect(stranger.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('serves proofs that the independent verifier accepts against signed checkpoints', async () => {
    const small = await cutCheckpoint(em(), localId(alpha.id), testApp.app.services.ledger.sealer);
    await appendCounted(alpha.id, 7);
    const large = await cutCheckpoint(em(), localId(alpha.id), testApp.app.services.ledger.sealer);
    const result = await testApp.graphql(
      `query ($communityId: ID!, $seq: BigInt!, $small: BigInt!, $large: BigInt!) {
        inclusionProof(communityId: $communityId, seq: $seq, treeSize: $large) { leafHash rootHash hashes }
        consistencyProof(communityId: $communityId, fromSize: $small, toSize: $large) { fromRootHash toRootHash hashes }
        ledgerLog(communityId: $communityId) { origin publicKey size requiredCosignatures }
        latestCheckpoint(communityId: $communityId) { treeSize rootHash note blockStart final entries(first: 100) { edges { node { seq } } } }
      }`,
      { communityId: alpha.id, seq: '3', small: String(small.treeSize), large: String(large.treeSize) },
      alpha.residentToken,
    );
    expect(result.errors).toBeUndefined();
    const { inclusionProof, consistencyProof, ledgerLog, latestCheckpoint } = result.data;
    expect(latestCheckpoint.treeSize).toBe(String(large.treeSize));
    expect(latestCheckpoint.rootHash).toBe(toHex(large.rootHash));
    expect(verifyInclusion(3, large.treeSize, fromHex(inclusionProof.leafHash), inclusionProof.hashes.map(fromHex), large.rootHash)).toBe(true);
    expect(verifyConsistency(small.treeSize, large.treeSize, small.rootHash, large.rootHash, consistencyProof.hashes.map(fromHex))).toBe(true);
    expect(verifyInclusion(4, large.treeSize, fromHex(inclusionProof.leafHash), inclusionProof.hashes.map(fromHex), large.rootHash)).toBe(false);
    expect(ledgerLog.origin).toBe('courtyard.localhost/ledger-alpha');
    expect(noteHasValidSignature(parseNote(latestCheckpoint.note), ledgerLog.origin, fromHex(ledgerLog.publicKey))).toBe(true);
    // The block is the run of entries between the two checkpoints.
    expect(latestCheckpoint.blockStart).toBe(String(small.treeSize));
    expect(latestCheckpoint.entries.edges.map((edge: any) => Number(edge.node.seq))).toEqual(
      Array.from({ length: 7 }, (_, index) => small.treeSize + index),
    );
    expect(latestCheckpoint.final).toBe(false);
  });

  it('serves the latest checkpoint as plain text at a stable public URL', async () => {
    const response = await testApp.app.yoga.fetch('http://courtyard.test/ledger/ledger-alpha/checkpoint');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const body = parseCheckpointBody(parseNote(await response.text()).text);
    expect(body.origin).toBe('courtyard.localhost/ledger-alpha');
    expect((await testApp.app.yoga.fetch('http://courtyard.test/ledger/ledger-bravo/checkpoint')).status).toBe(404);
    expect((await testApp.app.yoga.fetch('http://courtyard.test/ledger/no-such-place/checkpoint')).status).toBe(404);
  });

  it('takes a checkpoint to final through a committee witness key and a strict cosignature', async () => {
    const registered = await mutate(
      testApp,
      'registerWitnessKey',
      REGISTER,
      { communityId: alpha.id, name: 'committee.test/alpha-1', publicKey: toHex(ed25519.getPublicKey(witnessSeed)) },
      committee.token,
    );
    expect(registered).toMatchObject({ keyName: 'committee.test/alpha-1', role: 'COMMITTEE' });
    const latest = await testApp.graphql(`query ($c: ID!) { latestCheckpoint(communityId: $c) { treeSize body } }`, { c: alpha.id }, committee.token);
    const { treeSize, body } = latest.data.latestCheckpoint;
    const now = Math.floor(Date.now() / 1000);
    const rowsBefore = await rowCount(testApp);
    const forged = cosignCheckpoint(body, 'committee.test/alpha-1', new Uint8Array(32).fill(1), now);
    const refused = await testApp.graphql(
      COSIGN,
      { communityId: alpha.id, treeSize, keyName: forged.keyName, timestampSeconds: String(now), signature: toHex(forged.signature) },
      committee.token,
    );
    expect(refused.data.cosignCheckpoint).toMatchObject({ __typename: 'OperationError', code: 'LEDGER_VERIFICATION_FAILED' });
    expect(await rowCount(testApp)).toBe(rowsBefore);
    const cosignature = cosignCheckpoint(body, 'committee.test/alpha-1', witnessSeed, now);
    const accepted = await mutate(
      testApp,
      'cosignCheckpoint',
      COSIGN,
      { communityId: alpha.id, treeSize, keyName: cosignature.keyName, timestampSeconds: String(now), signature: toHex(cosignature.signature) },
      committee.token,
    );
    expect(accepted).toMatchObject({ treeSize, final: true, cosignatures: [{ keyName: 'committee.test/alpha-1' }] });
    expect(parseNote(accepted.note).signatures).toHaveLength(2);
    const text = await (await testApp.app.yoga.fetch('http://courtyard.test/ledger/ledger-alpha/checkpoint')).text();
    expect(text).toBe(accepted.note);
  });

  it('refuses witness keys and cosignatures from residents, managers and other communities, and writes nothing', async () => {
    const rowsBefore = await rowCount(testApp);
    const publicKey = toHex(ed25519.getPublicKey(new Uint8Array(32).fill(3)));
    for (const token of [alpha.residentToken, alpha.managerToken, bravo.managerToken]) {
      const result = await testApp.graphql(REGISTER, { communityId: alpha.id, name: 'intruder.test/key', publicKey }, token);
      expect(result.data.registerWitnessKey).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    }
    const wrongCommunity = await testApp.graphql(REGISTER, { communityId: bravo.id, name: 'committee.test/x', publicKey }, committee.token);
    expect(wrongCommunity.data.registerWitnessKey.code).toBe('FORBIDDEN');
    const badKey = await testApp.graphql(REGISTER, { communityId: alpha.id, name: 'committee.test/short', publicKey: '00ff' }, committee.token);
    expect(badKey.data.registerWitnessKey.code).toBe('INVALID_INPUT');
    const badName = await testApp.graphql(REGISTER, { communityId: alpha.id, name: 'has space', publicKey }, committee.token);
    expect(badName.data.registerWitnessKey.code).toBe('INVALID_INPUT');
    const badSize = await testApp.graphql(
      COSIGN,
      { communityId: alpha.id, treeSize: '-1', keyName: 'committee.test/alpha-1', timestampSeconds: '1', signature: '00'.repeat(64) },
      committee.token,
    );
    expect(badSize.data.cosignCheckpoint.code).toBe('INVALID_INPUT');
    const noCheckpoint = await testApp.graphql(
      COSIGN,
      { communityId: alpha.id, treeSize: '12345', keyName: 'committee.test/alpha-1', timestampSeconds: '1', signature: '00'.repeat(64) },
      committee.token,
    );
    expect(noCheckpoint.data.cosignCheckpoint.code).toBe('NOT_FOUND');
    expect(await rowCount(testApp)).toBe(rowsBefore);
  });

  it('gives a resident of another community nothing of this ledger', async () => {
    const calls = [
      [ENTRIES, { communityId: alpha.id }],
      [`query ($c: ID!) { ledgerEntry(communityId: $c, seq: "0") { id } }`, { c: alpha.id }],
      [`query ($c: ID!) { checkpoints(communityId: $c) { edges { node { treeSize } } } }`, { c: alpha.id }],
      [`query ($c: ID!) { latestCheckpoint(communityId: $c) { treeSize } }`, { c: alpha.id }],
      [`query ($c: ID!) { inclusionProof(communityId: $c, seq: "0", treeSize: "1") { hashes } }`, { c: alpha.id }],
      [`query ($c: ID!) { consistencyProof(communityId: $c, fromSize: "1", toSize: "2") { hashes } }`, { c: alpha.id }],
      [`query ($c: ID!) { ledgerLog(communityId: $c) { origin } }`, { c: alpha.id }],
      [`query ($c: ID!) { ledgerWitnesses(communityId: $c) { keyName } }`, { c: alpha.id }],
    ] as const;
    for (const [query, variables] of calls) {
      const result = await testApp.graphql(query, variables, bravo.residentToken);
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(result.data ?? null)).not.toContain('ledger-alpha');
    }
    const entry = await testApp.graphql(`query ($c: ID!) { ledgerEntry(communityId: $c, seq: "0") { id } }`, { c: alpha.id }, alpha.residentToken);
    const viaNode = await testApp.graphql(`query ($id: ID!) { node(id: $id) { id } }`, { id: entry.data.ledgerEntry.id }, bravo.residentToken);
    expect(viaNode.data.node).toBeNull();
  });

  it('answers bad proof and page arguments with typed errors', async () => {
    const cases = [
      `query ($c: ID!) { inclusionProof(communityId: $c, seq: "5", treeSize: "5") { hashes } }`,
      `query ($c: ID!) { inclusionProof(communityId: $c, seq: "0", treeSize: "100000") { hashes } }`,
      `query ($c: ID!) { consistencyProof(communityId: $c, fromSize: "3", toSize: "2") { hashes } }`,
      `query ($c: ID!) { ledgerEntries(communityId: $c, first: 101) { edges { cursor } } }`,
      `query ($c: ID!) { ledgerEntries(communityId: $c, after: "not-a-cursor") { edges { cursor } } }`,
    ];
    for (const query of cases) {
      const result = await testApp.graphql(query, { c: alpha.id }, alpha.residentToken);
      expect({ query, codes: result.errors?.map((error) => error.extensions?.code) }).toEqual({ query, codes: ['INVALID_INPUT'] });
    }
  });

  describe('over a real HTTP server', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await listen(testApp.app, '127.0.0.1', 0);
    });
    afterAll(() => server.close());

    it('streams an appended entry to an SSE subscriber once it commits', async () => {
      const abort = new AbortController();
      const timeout = setTimeout(() => abort.abort(), 15_000);
      try {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          signal: abort.signal,
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${alpha.residentToken}` },
          body: JSON.stringify({
            query: `subscription ($c: ID!) { ledgerEntryAppended(communityId: $c) { seq type payload } }`,
            variables: { c: alpha.id },
          }),
        });
        expect(response.headers.get('content-type')).toContain('text/event-stream');
        await appendCounted(alpha.id, 1, 'test.streamed');
        const reader = response.body!.getReader();
        const decoder = new TextDecoder();
        let buffered = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended without an event: ${buffered}`);
          buffered += decoder.decode(value, { stream: true });
          const match = /data: (\{.*"ledgerEntryAppended".*\})/u.exec(buffered);
          if (match) {
            const event = JSON.parse(match[1]!);
            expect(event.data.ledgerEntryAppended).toMatchObject({ type: 'test.streamed', payload: '{"counter":0}' });
            break;
          }
        }
        await reader.cancel();
      } finally {
        clearTimeout(timeout);
        abort.abort();
      }
    });

    it('refuses a subscription to another community', async () => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        signal: AbortSignal.timeout(10_000),
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${bravo.residentToken}` },
        body: JSON.stringify({ query: `subscription ($c: ID!) { ledgerEntryAppended(communityId: $c) { seq } }`, variables: { c: alpha.id } }),
      });
      const text = await response.text();
      expect(text).toContain('FORBIDDEN');
      expect(text).not.toContain('"seq"');
    });
  });
});
