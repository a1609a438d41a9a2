/**
 * An account of a community's books: its kind (account-kinds.ts), its owner, and its
 * cumulative debit and credit totals. The balance is derived (balance-rules.ts), never
 * stored apart from the totals, so it cannot disagree with them.
 */
import { accountKey, rulesOfKind, type AccountKind } from './account-kinds.ts';
import { naturalBalanceFen, signedBalanceFen } from './balance-rules.ts';
import { InvalidInputError } from '../domain-error.ts';
import { assertId } from './identifiers.ts';

export interface Account {
  accountId: string;
  communityId: string;
  kind: AccountKind;
  /** The household, activity or payment provider the account belongs to; null for community-wide kinds. */
  ownerId: string | null;
  debitsFen: bigint;
  creditsFen: bigint;
}

/** A new account with zero totals; checks that the owner matches what the kind needs. */
export function newAccount(communityId: string, accountId: string, kind: AccountKind, ownerId: string | null): Account {
  assertId(accountId, 'accountId');
  const needsOwner = rulesOfKind(kind).owner !== 'none';
  if (needsOwner && ownerId === null) throw new InvalidInputError('ownerId', `is required for a ${kind} account`);
  if (!needsOwner && ownerId !== null) throw new InvalidInputError('ownerId', `must be empty for a ${kind} account`);
  if (ownerId !== null) assertId(ownerId, 'ownerId');
  return { accountId, communityId, kind, ownerId, debitsFen: 0n, creditsFen: 0n };
}

export function keyOfAccount(account: Pick<Account, 'kind' | 'ownerId'>): string {
  return accountKey(account.kind, account.ownerId);
}

export function accountBalanceFen(account: Account): bigint {
  return signedBalanceFen(account);
}

/** The balance as the account's owner would say it: positive when the account holds what its kind holds. */
export function accountNaturalBalanceFen(account: Account): bigint {
  return naturalBalanceFen(account, rulesOfKind(account.kind).normalSide);
}
