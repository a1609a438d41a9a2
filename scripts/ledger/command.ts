/**
 * What the ledger commands share: their exit statuses, one-line failures, and reading a
 * log's id as an operator has it.
 *
 * Exit statuses (docs/ledger.md, "Commands"):
 *
 *   0  done: the log or bundle verifies
 *   1  the log or bundle does NOT verify (the output names the first bad row)
 *   2  bad usage: a missing or malformed argument, an unreadable file
 *   3  no ledger for that community
 *   4  the PGlite data folder is in use by another process (a running server)
 *   5  the database could not be opened or reached
 *   6  any other failure
 *
 * Every failure other than 1 is one line on stderr; no stack trace.
 */
import { parseArgs } from 'node:util';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { DataFolderInUseError } from '../../src/db/data-folder-lock.ts';
import { DomainError } from '../../src/domain-error.ts';
import { INSTALLATION_LOG_ID } from '../../src/ledger/installation-log.ts';

export const COMMAND_EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  dataFolderInUse: 4,
  databaseUnavailable: 5,
  unexpected: 6,
} as const;

/** A failure the command reports in one line with its exit status. */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
  readonly exitCode: number;

  constructor(exitCode: number, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

/**
 * The log's UUID from what an operator types: the UUID itself, the global id the API
 * hands out (`Community:<uuid>` or `Installation:<uuid>`, base64), or `installation`.
 */
export function parseLogId(text: string | undefined, option = '--community'): string {
  if (!text) throw new CommandFailure(COMMAND_EXIT.usage, `${option} is required`);
  if (text === 'installation') return INSTALLATION_LOG_ID;
  if (UUID_PATTERN.test(text)) return text.toLowerCase();
  let decoded: { typename: string; id: string } | undefined;
  try {
    decoded = decodeGlobalID(text);
  } catch {
    decoded = undefined;
  }
  if (decoded && (decoded.typename === 'Community' || decoded.typename === 'Installation') && UUID_PATTERN.test(decoded.id)) {
    return decoded.id.toLowerCase();
  }
  throw new CommandFailure(COMMAND_EXIT.usage, `${option} must be a community's id (as the API gives it, or its UUID) or "installation"`);
}

/** `--community <id> [--json]`, the arguments of the commands that read one log; a bad one is a usage failure. */
export function parseCommunityArguments(usage: string): { logId: string; json: boolean } {
  let values: { community?: string | undefined; json?: boolean | undefined };
  try {
    ({ values } = parseArgs({ options: { community: { type: 'string' }, json: { type: 'boolean', default: false } } }));
  } catch (error) {
    throw new CommandFailure(COMMAND_EXIT.usage, `${(error as Error).message}; ${usage}`);
  }
  return { logId: parseLogId(values.community), json: values.json ?? false };
}

/** Runs a command's body and exits with its status; known failures are one line on stderr. */
export async function runCommand(body: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await body();
  } catch (error) {
    if (error instanceof CommandFailure) {
      process.stderr.write(`error: ${error.message}\n`);
      code = error.exitCode;
    } else if (error instanceof DomainError) {
      // A rule of the ledger refused an argument (a range beyond the log, say).
      process.stderr.write(`error: ${error.message}\n`);
      code = COMMAND_EXIT.usage;
    } else if (error instanceof DataFolderInUseError) {
      process.stderr.write(`error: ${error.message}\n`);
      code = COMMAND_EXIT.dataFolderInUse;
    } else if (isConnectionFailure(error)) {
      process.stderr.write(`error: cannot reach the database: ${(error as Error).message.split('\n')[0]}\n`);
      code = COMMAND_EXIT.databaseUnavailable;
    } else {
      process.stderr.write(`error: ${(error as Error)?.name ?? 'Error'}: ${String((error as Error)?.message ?? error).split('\n')[0]}\n`);
      code = COMMAND_EXIT.unexpected;
    }
  }
  process.exit(code);
}

function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', '28P01', '3D000'].includes(code);
}
