/**
 * docs/ledger.md shows how an entry served by the API becomes its leaf bytes and hash.
 * This test reads that example from the page and recomputes it, and applies the same
 * rules to a live entry from the API, with an independent encoder (the `canonicalize`
 * package over a plain object), not the ledger's own code.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import canonicalize from 'canonicalize';
import { entryLeafBytes } from '../../src/ledger/entry-encoding.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createCommunityFixture } from '../support/fixtures.ts';

interface ServedEntry {
  seq: string;
  type: string;
  payload: string;
  actor: string;
  time: string;
  leafHash: string;
}

/** The rules of docs/ledger.md: seq as a JSON number, payload as the object its text encodes, RFC 8785 order. */
function leafBytesFromServed(entry: ServedEntry): Buffer {
  const text = canonicalize({ actor: entry.actor, payload: JSON.parse(entry.payload), seq: Number(entry.seq), time: entry.time, type: entry.type })!;
  return Buffer.from(text, 'utf8');
}

function leafHashHex(bytes: Uint8Array): string {
  return createHash('sha256').update(Buffer.from([0])).update(bytes).digest('hex');
}

async function documentedExample(): Promise<{ served: ServedEntry; leafText: string; shellHash: string }> {
  const page = await readFile(new URL('../../docs/ledger.md', import.meta.url), 'utf8');
  const section = page.slice(page.indexOf("## From the API's entry to its leaf hash"));
  const served = JSON.parse(/```json\n([\s\S]*?)```/u.exec(section)![1]!) as ServedEntry;
  const leafText = /```text\n([\s\S]*?)\n```/u.exec(section)![1]!;
  const shellHash = /```sh\n[\s\S]*?# ([0-9a-f]{64}) {2}-\n```/u.exec(section)![1]!;
  return { served, leafText, shellHash };
}

describe('the leaf-hash example of docs/ledger.md', () => {
  it('holds: the served entry gives the documented bytes, and they hash to the documented leaf hash', async () => {
    const { served, leafText, shellHash } = await documentedExample();
    const bytes = leafBytesFromServed(served);
    expect(bytes.toString('utf8')).toBe(leafText);
    expect(leafHashHex(bytes)).toBe(served.leafHash);
    expect(shellHash).toBe(served.leafHash);
    // …and the ledger's own encoder agrees.
    const own = entryLeafBytes({ seq: Number(served.seq), type: served.type, payload: JSON.parse(served.payload), actor: served.actor, time: new Date(served.time) });
    expect(Buffer.from(own).toString('utf8')).toBe(leafText);
  });
});

describe('the census.join example of docs/census.md', () => {
  it('holds: the served fields give the documented leaf bytes', async () => {
    const page = await readFile(new URL('../../docs/census.md', import.meta.url), 'utf8');
    const section = page.slice(page.indexOf('**How a census entry enters its leaf.**'));
    const [served, leafText] = [...section.matchAll(/```text\n([\s\S]*?)\n```/gu)].slice(0, 2).map((match) => match[1]!);
    const fields = Object.fromEntries(
      served!.split('\n').map((line) => {
        const [, key, value] = /^(\w+):\s+(.*)$/u.exec(line)!;
        return [key!, JSON.parse(value!) as string];
      }),
    ) as unknown as ServedEntry;
    expect(leafBytesFromServed(fields).toString('utf8')).toBe(leafText);
  });
});

describe('the same rules on a live entry', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(() => testApp.dispose());

  it('rebuild the leaf hash the API serves for each entry of a community log', async () => {
    const community = await createCommunityFixture(testApp, 'leaf-example');
    const result = await testApp.graphql(
      `query ($c: ID!) { ledgerEntries(communityId: $c, first: 10) { edges { node { seq type payload actor time leafHash } } } }`,
      { c: community.id },
      community.residentToken,
    );
    const entries = result.data.ledgerEntries.edges.map((edge: any) => edge.node as ServedEntry);
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const entry of entries) expect(leafHashHex(leafBytesFromServed(entry))).toBe(entry.leafHash);
  });
});
