/**
 * The installation's ledger settings, read from the environment:
 *
 * - COURTYARD_CHECKPOINT_EVERY_ENTRIES (default 1000): cut a checkpoint once a log grew by this many entries;
 * - COURTYARD_CHECKPOINT_EVERY_SECONDS (default 60): …or once this long passed with new entries;
 * - COURTYARD_LEDGER_POLL_MS (default 500): how often a subscribed community's head is polled.
 *
 * The two checkpoint settings are written to each community's log when the community is
 * created (`configureLog`), so they are per-log afterwards.
 */
import { ConfigurationError } from '../config/configuration.ts';

export interface LedgerSettings {
  checkpointEveryEntries: number;
  checkpointEverySeconds: number;
  /** How often the checkpoint cutter looks for due logs. */
  cutterIntervalMs: number;
  /** How often the subscription feed polls the head of a community someone follows. */
  feedPollIntervalMs: number;
}

export const DEFAULT_LEDGER_SETTINGS: LedgerSettings = {
  checkpointEveryEntries: 1_000,
  checkpointEverySeconds: 60,
  cutterIntervalMs: 1_000,
  feedPollIntervalMs: 500,
};

const LIMITS = {
  checkpointEveryEntries: [1, 1_000_000],
  checkpointEverySeconds: [1, 86_400],
  feedPollIntervalMs: [50, 10_000],
} as const;

function readInteger(environment: NodeJS.ProcessEnv, variable: string, fallback: number, [min, max]: readonly [number, number]): number {
  const text = environment[variable];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`${variable} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

export function loadLedgerSettings(environment: NodeJS.ProcessEnv = process.env): LedgerSettings {
  const checkpointEverySeconds = readInteger(
    environment,
    'COURTYARD_CHECKPOINT_EVERY_SECONDS',
    DEFAULT_LEDGER_SETTINGS.checkpointEverySeconds,
    LIMITS.checkpointEverySeconds,
  );
  return {
    checkpointEveryEntries: readInteger(
      environment,
      'COURTYARD_CHECKPOINT_EVERY_ENTRIES',
      DEFAULT_LEDGER_SETTINGS.checkpointEveryEntries,
      LIMITS.checkpointEveryEntries,
    ),
    checkpointEverySeconds,
    // Look at least once a second, and often enough that a short interval is honoured.
    cutterIntervalMs: Math.min(DEFAULT_LEDGER_SETTINGS.cutterIntervalMs, checkpointEverySeconds * 1000),
    feedPollIntervalMs: readInteger(environment, 'COURTYARD_LEDGER_POLL_MS', DEFAULT_LEDGER_SETTINGS.feedPollIntervalMs, LIMITS.feedPollIntervalMs),
  };
}
