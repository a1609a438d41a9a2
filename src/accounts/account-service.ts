/**
 * Accounts, communities, role grants and sessions. Every function takes the
 * EntityManager of the caller's transaction and checks the caller's rights
 * itself, so no path into it skips authorisation.
 */
import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { ConflictError, DomainError, InvalidInputError, NotFoundError, UnauthenticatedError } from '../domain-error.ts';
import { AccountSchema, RoleGrantSchema, SessionSchema, type Account } from './account.entity.ts';
import { CommunitySchema, JurisdictionSchema, type Community, type Jurisdiction } from './community.entity.ts';
import {
  COMMUNITY_COLUMNS,
  communityFromRow,
  communityPage,
  IN_MEMORY_PAGE_MAX_COMMUNITIES,
  type CommunityDirectory,
  type CommunityRow,
  type CommunityRowReader,
} from './community-directory.ts';
import {
  decoyPasswordHash,
  generateOneTimePassword,
  hashPassword,
  requireAcceptablePassword,
  verifyPassword,
} from './passwords.ts';
import { isCommunityRole, type CommunityRole, type Role } from './roles.ts';
import { SESSION_LIFETIME_SECONDS, signSessionToken, verifySessionToken } from './tokens.ts';
import { readableCommunityIds, requireAdmin, requireViewer, type Viewer } from './viewer.ts';
import { keysetFilter, keysetSql, type KeysetOrder, type KeysetPage } from '../kernel/keyset.ts';
import type { SqlEntityManager } from '../db/orm.ts';
import { requireText } from '../text-input.ts';
import { configureLog } from '../ledger/checkpoints.ts';
import { appendEntry } from '../ledger/append-entry.ts';
import { ensureInstallationLog, INSTALLATION_LOG_ID } from '../ledger/installation-log.ts';
import type { JsonObject } from '../ledger/entry-encoding.ts';
import { ensureLogKey, logOrigin, type SecretSealer } from '../ledger/log-keys.ts';

export const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/u;
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,63}$/u;
export const NAME_MAX_LENGTH = 200;

export class InvalidCredentialsError extends UnauthenticatedError {
  constructor() {
    super('Login failed: unknown login or wrong password');
  }
}

/** The account signed in with a one-time password and must change it before anything else. */
export class PasswordChangeRequiredError extends DomainError {
  constructor() {
    super('PASSWORD_CHANGE_REQUIRED', 'Change the one-time password first (changePassword); until then only viewer, changePassword and logout answer');
  }
}

function requireLogin(login: string): void {
  if (!LOGIN_PATTERN.test(login)) {
    throw new InvalidInputError('login', 'use 3–64 lowercase letters, digits, ".", "_" or "-"');
  }
}

function requireName(name: string, parameter = 'name'): string {
  return requireText(name, parameter, { maxLength: NAME_MAX_LENGTH });
}

/** Who an entry names as its actor: the caller's account, or `system` for the installation itself. */
export type Actor = string;
export const SYSTEM_ACTOR = 'system';

/**
 * Puts an accounts event on the record, last in the caller's transaction (after its
 * writes, so after any lock they took): on the community's log when it concerns one
 * community, on the installation log (INSTALLATION_LOG_ID) otherwise. Ids and roles
 * only — never a login, which can be personal data, nor a name (docs/ledger.md).
 */
async function record(em: EntityManager, logId: string, type: string, payload: JsonObject, actor: Actor): Promise<void> {
  await appendEntry(em as SqlEntityManager, { communityId: logId, type, payload, actor });
}

export async function createJurisdiction(em: EntityManager, viewer: Viewer | null, name: string): Promise<Jurisdiction> {
  requireAdmin(viewer);
  const cleanName = requireName(name);
  if (await em.count(JurisdictionSchema, { name: cleanName })) throw new ConflictError('Jurisdiction name already used');
  const jurisdiction = em.create(JurisdictionSchema, { id: randomUUID(), name: cleanName, createdAt: new Date() });
  await em.flush();
  await record(em, INSTALLATION_LOG_ID, 'accounts.jurisdiction-created', { jurisdictionId: jurisdiction.id }, viewer!.accountId);
  return jurisdiction;
}

/** What a new community's ledger needs: the installation's name for the origin line, the key sealer and the checkpoint cadence. */
export interface CommunityLogSetup {
  installationName: string;
  sealer: SecretSealer;
  settings: { checkpointEveryEntries: number; checkpointEverySeconds: number };
}

/**
 * Creates a community and, in the same transaction, its ledger: the Ed25519 log key
 * (origin `<installation>/<slug>`) and the log's checkpoint cadence. How many
 * cosignatures make a checkpoint final is the community's `requiredCosignatures`.
 * The community's log opens with `accounts.community-created`, and the installation log
 * records that the installation opened it.
 */
export async function createCommunity(
  em: EntityManager,
  viewer: Viewer | null,
  input: { slug: string; name: string; jurisdictionId?: string | null | undefined; requiredCosignatures?: number | null | undefined },
  log: CommunityLogSetup,
): Promise<Community> {
  requireAdmin(viewer);
  if (!SLUG_PATTERN.test(input.slug)) throw new InvalidInputError('slug', 'use 2–64 lowercase letters, digits or "-"');
  const name = requireName(input.name);
  const requiredCosignatures = input.requiredCosignatures ?? 1;
  if (!Number.isInteger(requiredCosignatures) || requiredCosignatures < 0 || requiredCosignatures > 32) {
    throw new InvalidInputError('requiredCosignatures', 'must be an integer from 0 to 32');
  }
  if (input.jurisdictionId && !(await em.findOne(JurisdictionSchema, { id: input.jurisdictionId }))) {
    throw new NotFoundError('Jurisdiction');
  }
  if (await em.count(CommunitySchema, { slug: input.slug })) throw new ConflictError('Community slug already used');
  const community = em.create(CommunitySchema, {
    id: randomUUID(),
    slug: input.slug,
    name,
    jurisdictionId: input.jurisdictionId ?? null,
    requiredCosignatures,
    createdAt: new Date(),
  });
  await em.flush();
  const sqlEm = em as SqlEntityManager;
  await ensureLogKey(sqlEm, { communityId: community.id, origin: logOrigin(log.installationName, community.slug), sealer: log.sealer });
  await configureLog(sqlEm, community.id, log.settings);
  const opened = { communityId: community.id, jurisdictionId: community.jurisdictionId ?? null };
  await record(em, community.id, 'accounts.community-created', { ...opened, requiredCosignatures }, viewer!.accountId);
  await record(em, INSTALLATION_LOG_ID, 'accounts.community-created', opened, viewer!.accountId);
  return community;
}

/**
 * Communities in slug order (the unique key of the list), byte by byte (`collate "C"`) on
 * every database whatever its default collation, so that the order read by SQL and the
 * order cut in memory (community-directory.ts) are the same.
 */
const COMMUNITY_ORDER: KeysetOrder = { columns: [{ expression: 'slug collate "C"' }] };

/**
 * A page of the communities the viewer belongs to or regulates (all of them for an admin),
 * in slug order: the community dashboard, read on every page view. A member's or a
 * regulator's page is cut in memory from their readable communities (known from the
 * session check of this request) and the kept community records, so it usually costs no
 * statement; an admin's, or one over more than IN_MEMORY_PAGE_MAX_COMMUNITIES communities,
 * is one statement read straight into rows (no ORM hydration).
 */
export async function listCommunities(
  db: CommunityRowReader,
  viewer: Viewer | null,
  page: KeysetPage<readonly [string]>,
  directory: CommunityDirectory,
): Promise<Community[]> {
  const readable = readableCommunityIds(requireViewer(viewer));
  if (readable?.size === 0) return [];
  if (readable && readable.size <= IN_MEMORY_PAGE_MAX_COMMUNITIES) return communityPage(await directory.communities(db, readable), page);
  const ids = readable ? [...readable] : [];
  const { condition, orderBy, limit, parameters } = keysetSql(COMMUNITY_ORDER, page);
  const rows = (await db.execute(
    `select ${COMMUNITY_COLUMNS} from communities
      where ${readable ? `id in (${ids.map(() => '?::uuid').join(', ')})` : 'true'} and ${condition}
      order by ${orderBy} limit ?`,
    [...ids, ...parameters, limit],
  )) as CommunityRow[];
  return rows.map((row) => directory.keep(communityFromRow(row)));
}

/** Admin: every account, a page at a time in login order. */
export async function listAccounts(em: EntityManager, viewer: Viewer | null, page: KeysetPage<readonly [string]>): Promise<Account[]> {
  requireAdmin(viewer);
  const { where, orderBy, limit } = keysetFilter('login', page);
  return em.find(AccountSchema, where, { orderBy, limit });
}

/**
 * Creates an account. Without a password, a one-time password is generated and
 * returned once; the holder must change it at first sign-in.
 */
export async function createAccount(
  em: EntityManager,
  viewer: Viewer | null,
  input: { login: string; password?: string | null | undefined; isAdmin?: boolean | null | undefined },
): Promise<{ account: Account; oneTimePassword: string | null }> {
  const admin = requireAdmin(viewer);
  return createAccountUnchecked(em, input, admin.accountId);
}

/** For bootstrapping the first admin only: no caller to check. */
export async function createAccountUnchecked(
  em: EntityManager,
  input: { login: string; password?: string | null | undefined; isAdmin?: boolean | null | undefined },
  actor: Actor,
): Promise<{ account: Account; oneTimePassword: string | null }> {
  requireLogin(input.login);
  if (input.password) requireAcceptablePassword(input.password);
  if (await em.count(AccountSchema, { login: input.login })) throw new ConflictError('Login already taken');
  const oneTimePassword = input.password ? null : generateOneTimePassword();
  const account = em.create(AccountSchema, {
    id: randomUUID(),
    login: input.login,
    passwordHash: await hashPassword(input.password ?? oneTimePassword!),
    isAdmin: input.isAdmin ?? false,
    mustChangePassword: oneTimePassword !== null,
    createdAt: new Date(),
    disabledAt: null,
  });
  await em.flush();
  await record(em, INSTALLATION_LOG_ID, 'accounts.account-created', { accountId: account.id, isAdmin: account.isAdmin }, actor);
  return { account, oneTimePassword };
}

export async function grantRole(
  em: EntityManager,
  viewer: Viewer | null,
  input: { accountId: string; role: Role; communityId?: string | null | undefined; jurisdictionId?: string | null | undefined },
): Promise<void> {
  const admin = requireAdmin(viewer);
  await grantRoleUnchecked(em, input, admin.accountId);
}

/** Where a role change is recorded, and what names its scope: the community's log, or the installation log for a regulator's jurisdiction. */
function roleRecord(accountId: string, role: Role, scope: { communityId: string | null; jurisdictionId: string | null }): { logId: string; payload: JsonObject } {
  return scope.communityId
    ? { logId: scope.communityId, payload: { accountId, role } }
    : { logId: INSTALLATION_LOG_ID, payload: { accountId, role, jurisdictionId: scope.jurisdictionId } };
}

/**
 * Grants a role; callers have checked the right to do so (admin, or a manager linking a
 * resident, who is then the actor). A role already held is left as it is, unrecorded.
 */
export async function grantRoleUnchecked(
  em: EntityManager,
  input: { accountId: string; role: Role; communityId?: string | null | undefined; jurisdictionId?: string | null | undefined },
  actor: Actor,
): Promise<void> {
  if (!(await em.findOne(AccountSchema, { id: input.accountId }))) throw new NotFoundError('Account');
  const scope = await resolveGrantScope(em, input);
  const existing = await em.findOne(RoleGrantSchema, { accountId: input.accountId, role: input.role, ...scope });
  if (existing) return;
  em.create(RoleGrantSchema, { id: randomUUID(), accountId: input.accountId, role: input.role, ...scope, createdAt: new Date() });
  await em.flush();
  const { logId, payload } = roleRecord(input.accountId, input.role, scope);
  await record(em, logId, 'accounts.role-granted', payload, actor);
}

/** Admin: takes a role back. The account keeps its sessions; the role is gone from its next request. */
export async function revokeRole(
  em: EntityManager,
  viewer: Viewer | null,
  input: { accountId: string; role: Role; communityId?: string | null | undefined; jurisdictionId?: string | null | undefined },
): Promise<void> {
  const admin = requireAdmin(viewer);
  if (!(await em.findOne(AccountSchema, { id: input.accountId }))) throw new NotFoundError('Account');
  const scope = await resolveGrantScope(em, input);
  const removed = await em.nativeDelete(RoleGrantSchema, { accountId: input.accountId, role: input.role, ...scope });
  if (removed === 0) throw new NotFoundError('Role grant');
  const { logId, payload } = roleRecord(input.accountId, input.role, scope);
  await record(em, logId, 'accounts.role-revoked', payload, admin.accountId);
}

async function resolveGrantScope(
  em: EntityManager,
  input: { role: Role; communityId?: string | null | undefined; jurisdictionId?: string | null | undefined },
): Promise<{ communityId: string | null; jurisdictionId: string | null }> {
  if (input.role === 'regulator') {
    if (!input.jurisdictionId || input.communityId) {
      throw new InvalidInputError('jurisdictionId', 'a regulator is granted a jurisdiction, not a community');
    }
    if (!(await em.findOne(JurisdictionSchema, { id: input.jurisdictionId }))) throw new NotFoundError('Jurisdiction');
    return { communityId: null, jurisdictionId: input.jurisdictionId };
  }
  if (!isCommunityRole(input.role)) throw new InvalidInputError('role', 'unknown role');
  if (!input.communityId || input.jurisdictionId) {
    throw new InvalidInputError('communityId', `the ${input.role} role is granted in one community`);
  }
  if (!(await em.findOne(CommunitySchema, { id: input.communityId }))) throw new NotFoundError('Community');
  return { communityId: input.communityId, jurisdictionId: null };
}

export interface SessionKeys {
  tokenPrivateKey: KeyObject;
  tokenPublicKey: KeyObject;
}

export async function login(
  em: EntityManager,
  keys: SessionKeys,
  input: { login: string; password: string },
): Promise<{ token: string; expiresAt: Date; account: Account }> {
  const account = LOGIN_PATTERN.test(input.login) ? await em.findOne(AccountSchema, { login: input.login }) : null;
  // Verify against a decoy when the account is unknown, so timing does not reveal which logins exist.
  const passwordHash = account && !account.disabledAt ? account.passwordHash : await decoyPasswordHash();
  const passwordMatches = await verifyPassword(passwordHash, input.password.slice(0, 1024));
  if (!account || account.disabledAt || !passwordMatches) throw new InvalidCredentialsError();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_SECONDS * 1000);
  const session = em.create(SessionSchema, {
    id: randomUUID(),
    accountId: account.id,
    createdAt: now,
    expiresAt,
    revokedAt: null,
  });
  await em.flush();
  const token = await signSessionToken(keys.tokenPrivateKey, { accountId: account.id, sessionId: session.id, expiresAt });
  return { token, expiresAt, account };
}

export async function logout(em: EntityManager, viewer: Viewer): Promise<void> {
  await em.nativeUpdate(SessionSchema, { id: viewer.sessionId, revokedAt: null }, { revokedAt: new Date() });
}

/** Ends every session of an account at once (admin), e.g. when a device is lost; recorded on the installation log. */
export async function revokeSessions(em: EntityManager, viewer: Viewer | null, accountId: string): Promise<number> {
  const admin = requireAdmin(viewer);
  if (!(await em.findOne(AccountSchema, { id: accountId }))) throw new NotFoundError('Account');
  const sessions = await em.nativeUpdate(SessionSchema, { accountId, revokedAt: null }, { revokedAt: new Date() });
  await record(em, INSTALLATION_LOG_ID, 'accounts.sessions-revoked', { accountId, sessions }, admin.accountId);
  return sessions;
}

/**
 * Changes the caller's password and ends every other session of the account — whoever
 * knew the old password is signed out everywhere — keeping the one that made the change,
 * which has just proved it knows the password. Returns how many sessions were ended.
 */
export async function changePassword(
  em: EntityManager,
  viewer: Viewer,
  input: { currentPassword: string; newPassword: string },
): Promise<number> {
  requireAcceptablePassword(input.newPassword, 'newPassword');
  const account = await em.findOneOrFail(AccountSchema, { id: viewer.accountId });
  if (!(await verifyPassword(account.passwordHash, input.currentPassword.slice(0, 1024)))) {
    throw new InvalidCredentialsError();
  }
  account.passwordHash = await hashPassword(input.newPassword);
  account.mustChangePassword = false;
  await em.flush();
  return em.nativeUpdate(SessionSchema, { accountId: account.id, revokedAt: null, id: { $ne: viewer.sessionId } }, { revokedAt: new Date() });
}

/** Anything that runs one SQL statement: a connection, or an EntityManager. */
export interface SqlExecutor {
  execute(sql: string, params: unknown[]): Promise<unknown[]>;
}

/**
 * The live sessions asked for, each with its account and every grant, in one round trip: a
 * revoked or expired session, or a disabled account, gives no row, so revocation takes
 * effect on the next request of any instance.
 */
function liveSessionsSql(count: number): string {
  return `
  select s.id as session_id, a.login, a.is_admin, a.must_change_password,
    coalesce((select json_agg(json_build_array(g.role, g.community_id, g.jurisdiction_id))
                from role_grants g where g.account_id = a.id), '[]') as grants
    from sessions s join accounts a on a.id = s.account_id
   where (s.id, s.account_id) in (${Array.from({ length: count }, () => '(?::uuid, ?::uuid)').join(', ')})
     and s.revoked_at is null and s.expires_at > now() and a.disabled_at is null`;
}

interface LiveSessionRow {
  session_id: string;
  login: string;
  is_admin: boolean;
  must_change_password: boolean;
  grants: Array<[string, string | null, string | null]> | string;
}

/** Reads live sessions (see liveSessionsSql); undefined for one that is not live. */
export interface LiveSessionReader {
  read(sessionId: string, accountId: string): Promise<LiveSessionRow | undefined>;
}

/** At most this many sessions are checked by one query. */
export const SESSION_CHECK_BATCH_MAX = 100;

/**
 * Checks the sessions of requests that arrive together in one query: a request's check
 * joins a batch that has not been sent yet and is sent on the next turn of the event loop,
 * so every check still reads the sessions table after its request arrived — a session
 * revoked before that is refused, as with one query per request — at a fraction of the
 * round trips when many requests arrive at once.
 */
export function batchedSessionReader(db: SqlExecutor): LiveSessionReader {
  let pending: Array<{ sessionId: string; accountId: string; settle: (row: LiveSessionRow | undefined, error?: unknown) => void }> = [];
  const send = async (batch: typeof pending) => {
    try {
      const rows = (await db.execute(liveSessionsSql(batch.length), batch.flatMap((check) => [check.sessionId, check.accountId]))) as LiveSessionRow[];
      const bySession = new Map(rows.map((row) => [row.session_id, row]));
      for (const check of batch) check.settle(bySession.get(check.sessionId));
    } catch (error) {
      for (const check of batch) check.settle(undefined, error);
    }
  };
  const flush = () => {
    const batch = pending;
    pending = [];
    for (let start = 0; start < batch.length; start += SESSION_CHECK_BATCH_MAX) void send(batch.slice(start, start + SESSION_CHECK_BATCH_MAX));
  };
  return {
    read: (sessionId, accountId) =>
      new Promise((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ sessionId, accountId, settle: (row, error) => (error === undefined ? resolve(row) : reject(error)) });
      }),
  };
}

/** One query per check. */
function directSessionReader(db: SqlExecutor): LiveSessionReader {
  return {
    read: async (sessionId, accountId) => ((await db.execute(liveSessionsSql(1), [sessionId, accountId])) as LiveSessionRow[])[0],
  };
}

/** PGlite and pg both parse json; a driver that hands back text is parsed here. */
function jsonColumn<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** The communities of a regulator's jurisdictions: a second query, for regulators only. */
async function regulatedCommunities(db: SqlExecutor, jurisdictionIds: readonly string[]): Promise<string[]> {
  if (jurisdictionIds.length === 0) return [];
  const rows = (await db.execute(
    `select id from communities where jurisdiction_id in (${jurisdictionIds.map(() => '?').join(', ')})`,
    [...jurisdictionIds],
  )) as Array<{ id: string }>;
  return rows.map((community) => community.id);
}

/** Resolves a bearer token to a viewer, or throws when it is invalid, expired or revoked. */
export async function viewerFromToken(
  db: SqlExecutor,
  publicKey: KeyObject,
  token: string,
  sessions: LiveSessionReader = directSessionReader(db),
): Promise<Viewer> {
  const claims = await verifySessionToken(publicKey, token);
  const row = await sessions.read(claims.sessionId, claims.accountId);
  if (!row) throw new UnauthenticatedError('Session ended');
  const communityRoles = new Map<string, Set<CommunityRole>>();
  const jurisdictionIds: string[] = [];
  for (const [role, communityId, jurisdictionId] of jsonColumn(row.grants)) {
    if (role === 'regulator' && jurisdictionId) jurisdictionIds.push(jurisdictionId);
    if (communityId && isCommunityRole(role)) {
      const roles = communityRoles.get(communityId) ?? new Set<CommunityRole>();
      roles.add(role);
      communityRoles.set(communityId, roles);
    }
  }
  return {
    accountId: claims.accountId,
    sessionId: claims.sessionId,
    login: row.login,
    isAdmin: row.is_admin,
    mustChangePassword: row.must_change_password,
    communityRoles,
    regulatedCommunityIds: new Set(await regulatedCommunities(db, jurisdictionIds)),
    isRegulator: jurisdictionIds.length > 0,
  };
}

/**
 * Run at every start: makes sure the installation log exists (its key, its checkpoint
 * cadence) and, on the first start, when there is no admin, creates one — with the
 * password from configuration or a one-time password that the caller prints once — and
 * records it on the installation log with the actor `system`.
 */
/** An arbitrary constant naming the start-up's advisory lock ("boot"). */
const BOOTSTRAP_LOCK_KEY = 0x626f6f74;

export async function bootstrapInstallation(
  em: EntityManager,
  input: { configuredAdminPassword: string | undefined; log: CommunityLogSetup },
): Promise<{ login: string; oneTimePassword: string | null } | null> {
  // Several instances may start at once on a new database: one of them creates the log and
  // the admin, the others wait here for its commit and then find both.
  await (em as SqlEntityManager).execute('select pg_advisory_xact_lock(?)', [BOOTSTRAP_LOCK_KEY]);
  await ensureInstallationLog(em as SqlEntityManager, input.log);
  if (await em.count(AccountSchema, { isAdmin: true })) return null;
  const { account, oneTimePassword } = await createAccountUnchecked(
    em,
    { login: 'admin', password: input.configuredAdminPassword ?? null, isAdmin: true },
    SYSTEM_ACTOR,
  );
  return { login: account.login, oneTimePassword };
}
