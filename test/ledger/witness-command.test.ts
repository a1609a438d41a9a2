import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { appendEntries } from '../../src/ledger/append-entry.ts';
import { integratePending } from '../../src/ledger/integrator.ts';
import { cutCheckpoint } from '../../src/ledger/checkpoints.ts';
import { toHex } from '../../src/ledger/merkle-hash.ts';
import { formatCheckpointBody } from '../../src/ledger/checkpoint.ts';
import { loadLogSigningKey } from '../../src/ledger/log-keys.ts';
import { rotateLogKey } from '../../src/ledger/log-key-rotation.ts';
import { rootFromFrontier } from '../../src/ledger/merkle-tree.ts';
import { formatNote, signNoteText } from '../../src/ledger/signed-note.ts';
import { splitHashes, toBytes } from '../../src/ledger/sql-values.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { createAccount, createCommunityFixture, grantRole, PASSWORD, type CommunityFixture } from '../support/fixtures.ts';

const run = promisify(execFile);
const NODE = join(process.cwd(), 'node_modules/.bin/node');

function localId(globalId: string): string {
  return Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
}

describe('witness command over the GraphQL API', () => {
  let testApp: TestApp;
  let server: RunningServer;
  let community: CommunityFixture;
  let folder: string;
  let witnessArguments: string[];

  async function appendAndCut(count: number): Promise<number> {
    const em = testApp.database.orm.em.fork() as SqlEntityManager;
    await em.transactional((transaction) =>
      appendEntries(
        transaction,
        localId(community.id),
        Array.from({ length: count }, (_, index) => ({ type: 'test.witnessed', payload: { counter: index }, actor: 'system' })),
      ),
    );
    await integratePending(em, localId(community.id));
    return (await cutCheckpoint(em, localId(community.id), testApp.app.services.ledger.sealer)).treeSize;
  }

  async function witness(extra: string[] = []): Promise<{ code: number; output: string }> {
    try {
      const { stdout } = await run(NODE, ['scripts/ledger/witness.ts', ...witnessArguments, ...extra], { timeout: 30_000 });
      return { code: 0, output: stdout };
    } catch (error) {
      const failure = error as { code: number; stdout: string; stderr: string };
      return { code: failure.code, output: failure.stdout + failure.stderr };
    }
  }

  async function latestFinal(): Promise<{ treeSize: string; final: boolean }> {
    const result = await testApp.graphql(`query ($c: ID!) { latestCheckpoint(communityId: $c) { treeSize final } }`, { c: community.id }, community.residentToken);
    return result.data.latestCheckpoint;
  }

  beforeAll(async () => {
    testApp = await createTestApp();
    server = await listen(testApp.app, '127.0.0.1', 0);
    community = await createCommunityFixture(testApp, 'witnessed');
    const committee = await createAccount(testApp, 'witnessed-committee');
    await grantRole(testApp, committee.id, 'COMMITTEE', { communityId: community.id });
    const token = await testApp.login('witnessed-committee', PASSWORD);
    const seed = new Uint8Array(32).fill(42);
    await mutate(
      testApp,
      'registerWitnessKey',
      `mutation ($c: ID!, $k: Hex!) { registerWitnessKey(communityId: $c, name: "committee.test/witnessed", publicKey: $k) {
        __typename ... on MutationRegisterWitnessKeySuccess { data { keyName } } ... on Error { code message } } }`,
      { c: community.id, k: toHex(ed25519.getPublicKey(seed)) },
      token,
    );
    folder = await mkdtemp(join(tmpdir(), 'courtyard-witness-'));
    await writeFile(join(folder, 'token'), token);
    await writeFile(join(folder, 'seed'), Buffer.from(seed).toString('base64'));
    witnessArguments = [
      '--url', server.url,
      '--token-file', join(folder, 'token'),
      '--community', community.id,
      '--key-name', 'committee.test/witnessed',
      '--private-key-file', join(folder, 'seed'),
      '--state-file', join(folder, 'state.json'),
    ];
  });
  afterAll(async () => {
    await server.close();
    await testApp.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  it('cosigns the first checkpoint, then only checkpoints it proves consistent with the last one', async () => {
    const first = await appendAndCut(5);
    const once = await witness();
    expect(once).toMatchObject({ code: 0 });
    expect(once.output).toContain(`cosigned checkpoint ${first} (consistent with 0), now final`);
    expect(await latestFinal()).toEqual({ treeSize: String(first), final: true });

    const second = await appendAndCut(9);
    const followed = await witness(['--follow', '--rounds', '2', '--interval-seconds', '1']);
    expect(followed.code).toBe(0);
    expect(followed.output).toContain(`cosigned checkpoint ${second} (consistent with ${first})`);
    expect(followed.output).toContain(`checkpoint ${second} already cosigned`);
    expect(JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')).treeSize).toBe(second);
  });

  it('refuses to cosign a checkpoint that does not extend the state it cosigned', async () => {
    const statePath = join(folder, 'state.json');
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    await writeFile(statePath, JSON.stringify({ ...state, rootHashHex: 'ab'.repeat(32) }));
    const third = await appendAndCut(3);
    const refused = await witness();
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`checkpoint ${third} is NOT consistent`);
    expect(await latestFinal()).toEqual({ treeSize: String(third), final: false });
  });

  it('follows a log-key rotation announced on the log, and refuses a checkpoint of the retired key after it', async () => {
    await rm(join(folder, 'state.json'));
    expect(await witness()).toMatchObject({ code: 0 });
    const em = testApp.database.orm.em.fork() as SqlEntityManager;
    const communityId = localId(community.id);
    const oldKey = await loadLogSigningKey(em, communityId, testApp.app.services.ledger.sealer);
    const rotation = await rotateLogKey(em, { communityId, sealer: testApp.app.services.ledger.sealer, actor: 'system' });
    const after = await appendAndCut(2);
    const followed = await witness();
    expect(followed).toMatchObject({ code: 0 });
    expect(followed.output).toContain(`now pinned to ${rotation.keyId}`);
    expect(followed.output).toContain(`cosigned checkpoint ${after} (consistent with ${rotation.retiredAfterSize})`);
    // The retired key signs a larger checkpoint of the same tree: the witness refuses it.
    await appendEntries(em, communityId, [{ type: 'test.witnessed', payload: { counter: 99 }, actor: 'system' }]);
    await integratePending(em, communityId);
    const heads: Array<{ tree_size: unknown; frontier: unknown }> = await em.execute('select tree_size, frontier from ledger_heads where community_id = ?', [communityId]);
    const size = Number(heads[0]!.tree_size);
    const root = rootFromFrontier(splitHashes(toBytes(heads[0]!.frontier)));
    const body = formatCheckpointBody({ origin: oldKey.keyName, treeSize: size, rootHash: root, extensions: [] });
    await em.execute('insert into ledger_checkpoints (community_id, tree_size, root_hash, note, created_at) values (?, ?, ?, ?, now())', [
      communityId,
      size,
      Buffer.from(root),
      formatNote(body, [signNoteText(body, oldKey.keyName, oldKey.privateKey)]),
    ]);
    const refused = await witness();
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`checkpoint ${size}: log signature does not verify against the pinned key`);
  });
});
