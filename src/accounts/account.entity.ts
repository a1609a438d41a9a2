import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A sign-in identity. The login name is a handle chosen by the admin, not a
 * phone number or a real name: personal data lives only in the vault.
 */
export const AccountSchema = defineEntity({
  name: 'Account',
  tableName: 'accounts',
  properties: {
    id: p.uuid().primary(),
    login: p.string().length(64).unique(),
    passwordHash: p.string().length(200),
    isAdmin: p.boolean().default(false),
    /** Set when the password was issued by someone else and must be changed on first sign-in. */
    mustChangePassword: p.boolean().default(false),
    createdAt: p.datetime(),
    disabledAt: p.datetime().nullable(),
  },
});
export type Account = InferEntity<typeof AccountSchema>;

/** One role of one account, in one community or, for a regulator, one jurisdiction. */
export const RoleGrantSchema = defineEntity({
  name: 'RoleGrant',
  tableName: 'role_grants',
  properties: {
    id: p.uuid().primary(),
    accountId: p.uuid().index(),
    role: p.string().length(16),
    communityId: p.uuid().nullable().index(),
    jurisdictionId: p.uuid().nullable(),
    createdAt: p.datetime(),
  },
});
export type RoleGrant = InferEntity<typeof RoleGrantSchema>;

/** A signed-in session; the token names it so that logout and revocation take effect at once. */
export const SessionSchema = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: p.uuid().primary(),
    accountId: p.uuid().index(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
  },
});
export type Session = InferEntity<typeof SessionSchema>;
