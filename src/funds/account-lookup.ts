/**
 * Finding accounts in a state: by id (refusing ids of another community as unknown) and
 * by (kind, owner).
 */
import { accountKey, type AccountKind } from './account-kinds.ts';
import type { Account } from './accounts.ts';
import { MissingAccountError, UnknownAccountError } from './funds-errors.ts';
import type { FundsState } from './funds-state.ts';
import type { StateOverlay } from './state-overlay.ts';
import { InvalidInputError } from '../domain-error.ts';

export function requireAccount(state: StateOverlay<FundsState>, accountId: string): Account {
  const account = state.read('accounts', accountId);
  if (!account || account.communityId !== state.base.communityId) throw new UnknownAccountError(accountId);
  return account;
}

export function requireAccountOfKind(
  state: StateOverlay<FundsState>,
  accountId: string,
  kinds: readonly AccountKind[],
  parameter: string,
): Account {
  const account = requireAccount(state, accountId);
  if (!kinds.includes(account.kind)) throw new InvalidInputError(parameter, `must be a ${kinds.join(' or ')} account`);
  return account;
}

export function accountIdOf(state: StateOverlay<FundsState>, kind: AccountKind, ownerId: string | null): string {
  const accountId = state.read('accountIdsByKey', accountKey(kind, ownerId));
  if (accountId === undefined) throw new MissingAccountError(kind, ownerId);
  return accountId;
}
