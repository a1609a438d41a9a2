/**
 * Two server processes on one PostgreSQL and one Redis lose nothing they acknowledged
 * when one is killed outright (SIGKILL) and the other is stopped (SIGTERM) while clients
 * are appending through both: every mutation a client saw succeed is on the log, once,
 * and the audit accepts the log. PostgreSQL and Redis only, like two-instances.test.ts.
 */
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { integratePending, pendingCount } from '../../src/ledger/integrator.ts';
import {
  createCommunityWithManager,
  describeOnSharedPostgres,
  eventually,
  INSTANCE_ADMIN_PASSWORD,
  INSTANCES_STARTUP_TIMEOUT_MS,
  REGISTER_HOUSEHOLD,
  runLedgerAudit,
  signIn,
  startTwoInstances,
  uuidOf,
  type Instance,
  type TwoInstances,
} from '../support/instances.ts';

/** Clients appending through each instance at once. */
const CLIENTS_PER_INSTANCE = 6;
/** Acknowledged appends before the instances are stopped. */
const ACKNOWLEDGED_BEFORE_STOP = 150;
/** Appends one client makes at most (bounds the test if the instances never stop). */
const APPENDS_PER_CLIENT = 200;

describeOnSharedPostgres('instances stopped during appends', () => {
  let instances: TwoInstances;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    instances = await startTwoInstances();
    ({ a, b } = instances);
  }, INSTANCES_STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await instances?.dispose();
  });

  it('keeps every acknowledged append after SIGKILL of one instance and SIGTERM of the other, and the audit passes', async () => {
    const adminToken = await signIn(a, 'admin', INSTANCE_ADMIN_PASSWORD);
    const { communityId, managerToken } = await createCommunityWithManager(b, adminToken, `crash-${randomUUID().slice(0, 8)}`);
    const acknowledged: string[] = [];
    const refused: string[] = [];
    let sent = 0;
    const client = async (instance: Instance, clientIndex: number) => {
      for (let index = 0; index < APPENDS_PER_CLIENT; index++) {
        sent++;
        let result;
        try {
          result = await instance.graphql(REGISTER_HOUSEHOLD, { communityId, unitLabel: `${instance.name}-${clientIndex}-${index}`, area: 5000 }, managerToken);
        } catch {
          return; // The connection was refused or cut: the instance is gone.
        }
        const answer = result.data?.registerHousehold;
        if (answer?.__typename === 'MutationRegisterHouseholdSuccess') acknowledged.push(uuidOf(answer.data.id));
        else refused.push(JSON.stringify(result));
      }
    };
    const clients = [a, b].flatMap((instance) => Array.from({ length: CLIENTS_PER_INSTANCE }, (_, clientIndex) => client(instance, clientIndex)));
    await eventually(`${ACKNOWLEDGED_BEFORE_STOP} acknowledged appends`, () => acknowledged.length >= ACKNOWLEDGED_BEFORE_STOP, 60_000);
    a.child.kill('SIGKILL');
    b.child.kill('SIGTERM');
    const [aExit, bExit] = await Promise.all([a.exited, b.exited]);
    await Promise.all(clients);
    expect(aExit.signal).toBe('SIGKILL');
    // B finished the requests it had received, then its jobs, and exited cleanly.
    expect(bExit).toEqual({ code: 0, signal: null });
    expect(refused).toEqual([]);
    expect(sent).toBeGreaterThan(acknowledged.length);

    // What A accepted but did not sequence before it died, a restarted instance's integrator sequences.
    const em = instances.orm.em.fork() as SqlEntityManager;
    const uuid = uuidOf(communityId);
    await integratePending(em, uuid);
    expect(await pendingCount(em, uuid)).toBe(0);
    const logged = await em.execute<Array<{ household_id: string }>>(
      `select payload->>'householdId' as household_id from ledger_entries where community_id = ? and type = 'privacy.household-registered'`,
      [uuid],
    );
    const onLog = new Set(logged.map((row) => row.household_id));
    expect(onLog.size).toBe(logged.length);
    expect(acknowledged.filter((household) => !onLog.has(household))).toEqual([]);
    // Atomic: every household that committed has its entry, and no entry lacks its household.
    const households = await em.execute<Array<{ id: string }>>(`select id from households where community_id = ?`, [uuid]);
    expect(new Set(households.map((row) => row.id))).toEqual(onLog);

    const audit = await runLedgerAudit(instances.scratch.url, uuid);
    expect({ status: audit.status, ok: audit.report?.ok }).toEqual({ status: 0, ok: true });
  }, 120_000);
});
