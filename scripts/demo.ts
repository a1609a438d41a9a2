/**
 * `npm run demo`: a realistic installation to explore in GraphiQL and to benchmark against —
 * 2 communities, 500 households, a year of monthly fees with payments on time, late,
 * partial and never, late fees and reminders — created through the real GraphQL API and
 * money day (scripts/demo/demo-installation.ts); then residents who join the censuses,
 * proposals with anonymous and named ballots, ratings and activities
 * (scripts/demo/demo-participation.ts); then audited.
 *
 *   npm run demo -- [--communities 2] [--households 500] [--months 12] [--residents 40] [--proofs 40]
 *
 * `--proofs` is the number of real anonymous membership proofs (ballots and anonymous
 * ratings, over all communities; about 0.4 s each on a quiet machine).
 *
 * On PGlite in the data folder (./data, or COURTYARD_DATA_DIR) unless DATABASE_URL is set.
 * The admin signs in with COURTYARD_ADMIN_PASSWORD; on a fresh installation without it the
 * demo's own password is used and printed. Exit status 0 when every log passes the audit.
 */
import { parseArgs } from 'node:util';
import { loadConfiguration } from '../src/config/configuration.ts';
import { createApp } from '../src/server/app.ts';
import { createLogger } from '../src/server/logger.ts';
import { auditDemo } from './demo/demo-audit.ts';
import { createDemo, DEMO_PASSWORD } from './demo/demo-installation.ts';
import { progressBar } from './demo/progress-bar.ts';

const { values } = parseArgs({
  options: {
    communities: { type: 'string', default: '2' },
    households: { type: 'string', default: '500' },
    months: { type: 'string', default: '12' },
    residents: { type: 'string', default: '40' },
    proofs: { type: 'string', default: '40' },
  },
});
/** Bounds, so a typo cannot start a run of hours. */
const LIMITS = { communities: [1, 20], households: [1, 20_000], months: [1, 12], residents: [1, 500], proofs: [0, 2_000] } as const;
const options = Object.fromEntries(
  (Object.keys(LIMITS) as Array<keyof typeof LIMITS>).map((name) => {
    const value = Number(values[name]);
    const [min, max] = LIMITS[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      process.stderr.write(`--${name} must be an integer from ${min} to ${max}\n`);
      process.exit(2);
    }
    return [name, value];
  }),
) as { communities: number; households: number; months: number; residents: number; proofs: number };

const adminPassword = process.env['COURTYARD_ADMIN_PASSWORD'] || DEMO_PASSWORD;
const configuration = loadConfiguration({ ...process.env, COURTYARD_ADMIN_PASSWORD: adminPassword, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' });
const app = await createApp(configuration, { logger: createLogger(configuration.logLevel) });
let ok: boolean | undefined;
try {
  const started = performance.now();
  const communities = await createDemo(app, adminPassword, options, progressBar(process.stderr));
  const audits = await auditDemo(app, communities);
  ok = audits.every((audit) => audit.ok);
  for (const audit of audits) process.stdout.write(`${audit.slug}: ${audit.entries} ledger entries, audit ${audit.ok ? 'passed' : `FAILED: ${audit.problem}`}\n`);
  process.stdout.write(
    `\nDemo data in ${((performance.now() - started) / 1000).toFixed(0)} s on ${configuration.databaseUrl ? 'PostgreSQL' : `PGlite (${configuration.dataDirectory})`}.\n` +
      `Sign in as admin (password ${process.env['COURTYARD_ADMIN_PASSWORD'] ? 'from COURTYARD_ADMIN_PASSWORD' : `"${DEMO_PASSWORD}"`}) ` +
      `or as ${communities.map((community) => `${community.slug}-manager`).join(', ')}, ${communities[0]?.slug ?? 'demo-1'}-committee or ${communities[0]?.slug ?? 'demo-1'}-resident-1 (password "${DEMO_PASSWORD}").\n`,
  );
} finally {
  await app.close();
}
process.exit(ok ? 0 : 1);
