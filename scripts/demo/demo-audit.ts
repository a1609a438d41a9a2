/** The audit of every demo community's log and the installation log, as `npm run ledger:audit` runs it. */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { auditLog } from '../../src/ledger/audit.ts';
import { INSTALLATION_LOG_ID } from '../../src/ledger/installation-log.ts';
import type { App } from '../../src/server/app.ts';
import { replayModules, replaysOk } from '../ledger/module-replays.ts';
import type { DemoCommunity } from './demo-installation.ts';

export interface DemoAudit {
  slug: string;
  ok: boolean;
  entries: number;
  problem?: string;
}

export async function auditDemo(app: App, communities: readonly DemoCommunity[]): Promise<DemoAudit[]> {
  const logs = [...communities.map((community) => ({ slug: community.slug, id: community.uuid })), { slug: 'installation', id: INSTALLATION_LOG_ID }];
  const audits: DemoAudit[] = [];
  for (const log of logs) {
    const em = app.orm.em.fork() as SqlEntityManager;
    const report = await auditLog(em, log.id);
    const replays = report.ok ? await replayModules(em, log.id) : [];
    const ok = report.ok && replaysOk(replays);
    const problem = report.problems[0] ? JSON.stringify(report.problems[0]) : ok ? undefined : JSON.stringify(replays.filter((replay) => !replaysOk([replay])));
    audits.push({ slug: log.slug, ok, entries: report.treeSize, ...(problem ? { problem } : {}) });
  }
  return audits;
}
