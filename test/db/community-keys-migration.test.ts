/**
 * The community-key migrations (src/db/community-keys.ts) on a database that already has
 * rows: migrated up to the last migration before them, filled through SQL as the old
 * schema stood, then migrated to the end. Every row stays, the tables that lacked
 * `community_id` get their parent's, and the widened foreign keys refuse a row that names
 * another community's parent.
 */
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/core';
import { ormOptions, type Orm } from '../../src/db/orm.ts';
import { createScratchDatabase } from '../../src/db/scratch-database.ts';
import { databaseSchema } from '../../src/server/modules.ts';
import { serverDatabaseUrl } from '../support/database.ts';

/** The last migration before the community keys (`Migration20261218000000_household_community_keys` and on). */
const migrationNames = databaseSchema.migrations.map((migration) => migration.name);
const BEFORE = migrationNames[migrationNames.indexOf('Migration20261218000000_household_community_keys') - 1]!;

let orm: Orm;
let drop = async () => {};

beforeAll(async () => {
  let location: { databaseUrl?: string; pgliteDataDirectory?: string } = { pgliteDataDirectory: 'memory://' };
  if (serverDatabaseUrl) {
    const scratch = await createScratchDatabase(serverDatabaseUrl, 'courtyard_test', { asynchronousCommit: true });
    location = { databaseUrl: scratch.url };
    drop = scratch.drop;
  }
  orm = (await MikroORM.init(ormOptions(location, databaseSchema))) as unknown as Orm;
}, 60_000);

afterAll(async () => {
  await orm?.close(true);
  await drop();
});

async function run<T = unknown[]>(sql: string, params: unknown[] = []): Promise<T> {
  return (await orm.em.getConnection().execute(sql, params)) as T;
}

interface Community {
  id: string;
  household: string;
  proposal: string;
  ballot: string;
  activity: string;
  subject: string;
}

async function fillCommunity(slug: string, account: string): Promise<Community> {
  const now = new Date();
  const later = new Date(now.getTime() + 86_400_000);
  const community: Community = {
    id: randomUUID(),
    household: randomUUID(),
    proposal: randomUUID(),
    ballot: randomUUID(),
    activity: randomUUID(),
    subject: randomUUID(),
  };
  await run('insert into communities (id, slug, name, created_at) values (?, ?, ?, ?)', [
    community.id,
    slug,
    slug,
    now,
  ]);
  await run(
    'insert into households (id, community_id, floor_area_centi_square_metres, created_at) values (?, ?, 7000, ?)',
    [community.household, community.id, now],
  );
  await run(
    `insert into household_members (id, household_id, community_id, account_id, relation, created_at) values (?, ?, ?, ?, 'owner', ?)`,
    [randomUUID(), community.household, community.id, account, now],
  );
  await run(
    `insert into personal_data_accesses (id, community_id, household_id, accessor_account_id, purpose, accessed_at) values (?, ?, ?, ?, 'BILLING', ?)`,
    [randomUUID(), community.id, community.household, account, now],
  );
  await run(
    `insert into governance_proposals (id, community_id, title, body, form_kind, options, abstain, census_kind, rule, mode, opens_at, closes_at,
       objection_days, status, scope, created_by, created_at, created_entry_id)
     values (?, ?, 'Roof', 'Repair the roof', 'yes-no-abstain', '[]', true, 'owners', '{}', 'named', ?, ?, 0, 'open', '1', ?, ?, 1)`,
    [community.proposal, community.id, now, later, account, now],
  );
  await run(
    `insert into governance_snapshot_members (proposal_id, leaf_index, leaf_id, account_id, identity_commitment, weight) values (?, 0, ?, ?, '1', 1)`,
    [community.proposal, randomUUID(), account],
  );
  await run(
    `insert into governance_ballots (id, proposal_id, member_key, channel, choice, weight, cast_at, ledger_entry_id, ledger_time)
     values (?, ?, ?, 'online', 'yes', 1, ?, 2, ?)`,
    [community.ballot, community.proposal, account, now, now],
  );
  await run(
    `insert into governance_current_ballots (proposal_id, member_key, ballot_id, channel, choice, weight) values (?, ?, ?, 'online', 'yes', 1)`,
    [community.proposal, account, community.ballot],
  );
  await run('insert into governance_elections (proposal_id, threshold, trustee_count) values (?, 2, 2)', [
    community.proposal,
  ]);
  await run('insert into governance_trustees (proposal_id, trustee, account_id) values (?, 1, ?)', [
    community.proposal,
    account,
  ]);
  await run(
    `insert into governance_challenges (id, proposal_id, filed_by, reason, filed_at, ledger_entry_id) values (?, ?, ?, 'late', ?, 3)`,
    [randomUUID(), community.proposal, account, now],
  );
  await run(
    `insert into activities (id, community_id, title, description, place, status, signups_close_at, created_at, record)
     values (?, ?, 'Walk', 'A walk', 'Park', 'closed', ?, ?, '{}')`,
    [community.activity, community.id, now, now],
  );
  await run(
    `insert into activity_signups (id, community_id, activity_id, household_id, position, status, idempotency_key, record)
     values (?, ?, ?, ?, 1, 'participant', 'k', '{}')`,
    [randomUUID(), community.id, community.activity, community.household],
  );
  await run(
    `insert into rating_subjects (id, community_id, kind, key, label, eligible_census, active, created_at, ledger_entry_id, activity_id)
     values (?, ?, 'activity', 'walk', 'Walk', 'activity-participants', true, ?, 4, ?)`,
    [community.subject, community.id, now, community.activity],
  );
  const rating = randomUUID();
  await run(
    `insert into ratings (id, community_id, subject_id, period, rater_key, channel, score, cast_at, ledger_entry_id, ledger_time)
     values (?, ?, ?, '2026-11', ?, 'named', 4, ?, 5, ?)`,
    [rating, community.id, community.subject, account, now, now],
  );
  await run(
    `insert into rating_current (subject_id, period, rater_key, community_id, rating_id, score) values (?, '2026-11', ?, ?, ?, 4)`,
    [community.subject, account, community.id, rating],
  );
  await run(
    `insert into money_provider_events (provider, event_id, community_id, payment_id, received_at) values ('bank', ?, ?, 'p', ?)`,
    [`event-${slug}`, community.id, now],
  );
  return community;
}

test('rows written before the community keys keep their values and get their community', async () => {
  expect(BEFORE).toMatch(/^Migration\d{14}_/u);
  await orm.migrator.up({ to: BEFORE });
  const account = randomUUID();
  await run('insert into accounts (id, login, password_hash, created_at) values (?, ?, ?, ?)', [
    account,
    'keys-owner',
    'x',
    new Date(),
  ]);
  const first = await fillCommunity('keys-first', account);
  const second = await fillCommunity('keys-second', account);
  const countsBefore = await rowCounts();

  await orm.migrator.up();
  expect(await orm.migrator.getPending()).toEqual([]);

  expect(await rowCounts()).toEqual(countsBefore);
  for (const table of [
    'governance_snapshot_members',
    'governance_ballots',
    'governance_current_ballots',
    'governance_elections',
    'governance_trustees',
    'governance_challenges',
  ]) {
    const rows = await run<Array<{ proposal_id: string; community_id: string }>>(
      `select proposal_id, community_id from ${table} order by community_id`,
    );
    const expected = [first, second].map((community) => ({
      proposal_id: community.proposal,
      community_id: community.id,
    }));
    expect({ table, rows: [...rows].sort((a, b) => a.community_id.localeCompare(b.community_id)) }).toEqual({
      table,
      rows: expected.sort((a, b) => a.community_id.localeCompare(b.community_id)),
    });
  }

  // A member of the first community's household, filed under the second community, is refused.
  await expect(
    run(
      `insert into household_members (id, household_id, community_id, relation, created_at) values (?, ?, ?, 'occupant', ?)`,
      [randomUUID(), first.household, second.id, new Date()],
    ),
  ).rejects.toThrow(/household_members_household_id_fkey/u);
  await expect(
    run(
      `insert into governance_current_ballots (community_id, proposal_id, member_key, ballot_id, channel, choice, weight) values (?, ?, 'other', ?, 'online', 'no', 1)`,
      [first.id, first.proposal, second.ballot],
    ),
  ).rejects.toThrow(/governance_current_ballots_ballot_id_fkey/u);
  await expect(
    run(
      `insert into rating_current (subject_id, period, rater_key, community_id, rating_id, score) values (?, '2026-12', 'other', ?, ?, 3)`,
      [first.subject, second.id, randomUUID()],
    ),
  ).rejects.toThrow(/rating_current_(subject|rating)_id_fkey/u);
  // The activity's rating subject still names it, now with its community.
  const links = await run<Array<{ community_id: string }>>(
    'select community_id from rating_subjects where activity_id = ?',
    [first.activity],
  );
  expect(links).toEqual([{ community_id: first.id }]);
});

async function rowCounts(): Promise<Record<string, number>> {
  const tables = [
    'households',
    'household_members',
    'personal_data_accesses',
    'governance_proposals',
    'governance_snapshot_members',
    'governance_ballots',
    'governance_current_ballots',
    'governance_elections',
    'governance_trustees',
    'governance_challenges',
    'activities',
    'activity_signups',
    'rating_subjects',
    'ratings',
    'rating_current',
    'money_provider_events',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables)
    counts[table] = Number((await run<Array<{ n: unknown }>>(`select count(*) as n from ${table}`))[0]!.n);
  return counts;
}
