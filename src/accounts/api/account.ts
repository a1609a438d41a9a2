import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { CommunityRef, JurisdictionRef } from '../../accounts/api/community.ts';
import { AccountSchema, RoleGrantSchema, type Account, type RoleGrant } from '../../accounts/account.entity.ts';
import { CommunitySchema, JurisdictionSchema } from '../../accounts/community.entity.ts';
import {
  changePassword,
  createAccount,
  grantRole,
  listAccounts,
  login,
  logout,
  revokeRole,
  revokeSessions,
} from '../../accounts/account-service.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { MAX_PER_OPERATION } from '../../graphql/field-limits.ts';
import { requireViewer } from '../../accounts/viewer.ts';
import { PASSWORD_MAX_LENGTH } from '../../accounts/passwords.ts';
import type { Role } from '../../accounts/roles.ts';

/** What the Account type shows: an Account row, or the viewer's own account as authentication read it. */
type AccountView = Pick<Account, 'id' | 'login' | 'isAdmin' | 'mustChangePassword'>;

export const AccountRef = builder.objectRef<AccountView>('Account');
const RoleGrantRef = builder.objectRef<RoleGrant>('RoleGrant');

export const RoleEnum = builder.enumType('Role', {
  values: {
    RESIDENT: { value: 'resident', description: '业主/住户: a member of a household.' },
    MANAGER: { value: 'manager', description: '物业: property-management staff.' },
    COMMITTEE: { value: 'committee', description: "业委会: a member of the homeowners' committee." },
    REGULATOR: { value: 'regulator', description: '街道办/住建: read-only over a jurisdiction.' },
  } as const,
});

builder.node(AccountRef, {
  description: 'A sign-in identity. Callers see their own account; admins see all.',
  id: { resolve: (account) => account.id, parse: (id) => parseUuid(id) },
  loadOne: (id, context) => {
    const viewer = context.viewer;
    if (!viewer || (!viewer.isAdmin && viewer.accountId !== id)) return null;
    return context.em.findOne(AccountSchema, { id });
  },
  fields: (t) => ({
    login: t.exposeString('login'),
    isAdmin: t.exposeBoolean('isAdmin'),
    mustChangePassword: t.exposeBoolean('mustChangePassword'),
    roles: t.field({
      type: [RoleGrantRef],
      resolve: (account, _args, context) =>
        context.em.find(RoleGrantSchema, { accountId: account.id }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
    }),
  }),
});

builder.objectType(RoleGrantRef, {
  description: 'One role, held in one community (or, for a regulator, one jurisdiction).',
  fields: (t) => ({
    role: t.field({ type: RoleEnum, resolve: (grant) => grant.role as Role }),
    community: t.field({
      type: CommunityRef,
      nullable: true,
      resolve: (grant, _args, context) =>
        grant.communityId ? context.em.findOne(CommunitySchema, { id: grant.communityId }) : null,
    }),
    jurisdiction: t.field({
      type: JurisdictionRef,
      nullable: true,
      resolve: (grant, _args, context) =>
        grant.jurisdictionId ? context.em.findOne(JurisdictionSchema, { id: grant.jurisdictionId }) : null,
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: AccountRef,
    nullable: true,
    skipTypeScopes: true,
    description: 'The signed-in account, or null without a valid session.',
    // Read with the session by authentication: no second query.
    resolve: (_root, _args, { viewer }) =>
      viewer ? { id: viewer.accountId, login: viewer.login, isAdmin: viewer.isAdmin, mustChangePassword: viewer.mustChangePassword } : null,
  }),
);

builder.queryField('accounts', (t) =>
  t.connection({
    type: AccountRef,
    description: 'Admin: every account, in login order.',
    authScopes: { admin: true },
    resolve: (_root, args, context) =>
      resolveKeysetConnection(args, (page) => listAccounts(context.em, context.viewer, page), {
        name: 'accounts',
        keyOf: (account) => [account.login] as const,
        parseKey: keyParsers.oneString,
      }),
  }),
);

const LoginPayload = builder
  .objectRef<{ token: string; expiresAt: Date; account: Account }>('LoginPayload')
  .implement({
    fields: (t) => ({
      token: t.exposeString('token', { description: 'Send as `Authorization: Bearer <token>`.' }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
      account: t.expose('account', { type: AccountRef }),
    }),
  });

const passwordArgument = z.string().max(PASSWORD_MAX_LENGTH);

builder.mutationField('login', (t) =>
  t.field({
    type: LoginPayload,
    description: 'Exchange a login and password for a session token.',
    skipTypeScopes: true,
    errors: { types: MUTATION_ERRORS },
    args: {
      login: t.arg.string({ required: true, validate: z.string().max(64) }),
      password: t.arg.string({ required: true, validate: passwordArgument }),
    },
    // Each login hashes a password: one per document, so aliases cannot multiply the work.
    extensions: { [MAX_PER_OPERATION]: 1 },
    resolve: async (_root, args, context) => {
      // Counted before the memory-hard hash, and refused while backing off (login-throttle.ts).
      const attempt = await context.services.accounts.loginThrottle.begin({ login: args.login, address: context.clientAddress });
      const session = await inTransaction(context, (em) => login(em, context.services.keys, args));
      await attempt.succeeded();
      return session;
    },
  }),
);

builder.mutationField('logout', (t) =>
  t.boolean({
    description: 'End the current session; its token and its open subscriptions stop working at once.',
    skipTypeScopes: true,
    errors: { types: MUTATION_ERRORS },
    resolve: async (_root, _args, context) => {
      const viewer = requireViewer(context.viewer);
      await inTransaction(context, (em) => logout(em, viewer));
      await context.services.accounts.sessionWatch.recheckNow();
      return true;
    },
  }),
);

builder.mutationField('changePassword', (t) =>
  t.boolean({
    description:
      "Change the caller's password (required first after a one-time password). Every other session of the account ends; this one continues.",
    skipTypeScopes: true,
    errors: { types: MUTATION_ERRORS },
    extensions: { [MAX_PER_OPERATION]: 1 },
    args: {
      currentPassword: t.arg.string({ required: true, validate: passwordArgument }),
      newPassword: t.arg.string({ required: true, validate: passwordArgument }),
    },
    resolve: async (_root, args, context) => {
      const viewer = requireViewer(context.viewer);
      await inTransaction(context, (em) => changePassword(em, viewer, args));
      await context.services.accounts.sessionWatch.recheckNow();
      return true;
    },
  }),
);

const CreateAccountPayload = builder
  .objectRef<{ account: Account; oneTimePassword: string | null }>('CreateAccountPayload')
  .implement({
    fields: (t) => ({
      account: t.expose('account', { type: AccountRef }),
      oneTimePassword: t.exposeString('oneTimePassword', {
        nullable: true,
        description: 'Shown once when no password was given; the holder must change it.',
      }),
    }),
  });

builder.mutationField('createAccount', (t) =>
  t.field({
    type: CreateAccountPayload,
    description: 'Admin: create an account, with a one-time password unless one is given.',
    authScopes: { admin: true },
    errors: { types: MUTATION_ERRORS },
    args: {
      login: t.arg.string({ required: true, validate: z.string().max(64) }),
      password: t.arg.string({ validate: passwordArgument.optional().nullable() }),
      isAdmin: t.arg.boolean(),
    },
    resolve: (_root, args, context) => inTransaction(context, (em) => createAccount(em, context.viewer, args)),
  }),
);

/** `grantRole` and `revokeRole`: the same arguments, and the account as it is after the change. */
function roleChangeField(name: 'grantRole' | 'revokeRole', description: string, change: typeof grantRole): void {
  builder.mutationField(name, (t) =>
    t.field({
      type: AccountRef,
      description,
      authScopes: { admin: true },
      errors: { types: MUTATION_ERRORS },
      args: {
        accountId: t.arg.globalID({ required: true, for: AccountRef }),
        role: t.arg({ type: RoleEnum, required: true }),
        communityId: t.arg.globalID({ for: CommunityRef }),
        jurisdictionId: t.arg.globalID({ for: JurisdictionRef }),
      },
      resolve: (_root, args, context) =>
        inTransaction(context, async (em) => {
          const accountId = parseUuid(args.accountId.id, 'accountId');
          await change(em, context.viewer, {
            accountId,
            role: args.role,
            communityId: args.communityId ? parseUuid(args.communityId.id, 'communityId') : null,
            jurisdictionId: args.jurisdictionId ? parseUuid(args.jurisdictionId.id, 'jurisdictionId') : null,
          });
          return em.findOneOrFail(AccountSchema, { id: accountId });
        }),
    }),
  );
}

roleChangeField('grantRole', 'Admin: grant a role in a community, or a regulator role over a jurisdiction.', grantRole);
roleChangeField('revokeRole', 'Admin: take a role back (recorded on the ledger). NOT_FOUND when the account does not hold it.', revokeRole);

builder.mutationField('revokeSessions', (t) =>
  t.int({
    description: 'Admin: end every session of an account, and its open subscriptions. Returns how many were ended.',
    authScopes: { admin: true },
    errors: { types: MUTATION_ERRORS },
    args: { accountId: t.arg.globalID({ required: true, for: AccountRef }) },
    resolve: async (_root, args, context) => {
      const ended = await inTransaction(context, (em) => revokeSessions(em, context.viewer, parseUuid(args.accountId.id, 'accountId')));
      await context.services.accounts.sessionWatch.recheckNow();
      return ended;
    },
  }),
);
