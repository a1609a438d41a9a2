/**
 * The funds domain's named errors. Each carries a machine-readable code (DomainError) and
 * names ids and rules, never a person.
 */
import { ConflictError, DomainError, InvalidInputError, NotFoundError } from '../domain-error.ts';

/** No such account in this community. An account of another community reads the same, on purpose. */
export class UnknownAccountError extends NotFoundError {
  readonly accountId: string;

  constructor(accountId: string) {
    super(`Account ${accountId}`);
    this.accountId = accountId;
  }
}

/** The community has no account of this kind for this owner (e.g. a household without a receivable). */
export class MissingAccountError extends NotFoundError {
  constructor(kind: string, ownerId: string | null) {
    super(ownerId === null ? `The ${kind} account` : `The ${kind} account of ${ownerId}`);
  }
}

/** A transfer would leave an account outside its balance rule. Nothing of the batch is posted. */
export class BalanceRuleBrokenError extends DomainError {
  readonly accountId: string;
  readonly transferIndex: number;

  constructor(accountId: string, transferIndex: number, rule: string) {
    super('BALANCE_RULE_BROKEN', `Failed to post transfer ${transferIndex}: account ${accountId} ${rule}`);
    this.accountId = accountId;
    this.transferIndex = transferIndex;
  }
}

/** A cumulative total would pass MAX_ACCOUNT_TOTAL_FEN. */
export class AccountTotalLimitError extends DomainError {
  constructor(accountId: string, transferIndex: number) {
    super(
      'ACCOUNT_LIMIT_REACHED',
      `Failed to post transfer ${transferIndex}: account ${accountId} reached its cumulative total limit`,
    );
  }
}

/** An idempotency key was used before with a different request body. */
export class IdempotencyConflictError extends ConflictError {
  readonly idempotencyKey: string;

  constructor(idempotencyKey: string) {
    super(`Idempotency key ${idempotencyKey} was already used for a different request`);
    this.idempotencyKey = idempotencyKey;
  }
}

/** A record that must be unique (an account for a (kind, owner), an invoice for a period) exists already. */
export class DuplicateRecordError extends ConflictError {
  constructor(what: string) {
    super(`${what} exists already`);
  }
}

/** A ledger entry's payload does not have the shape its type requires. */
export class MalformedEntryError extends InvalidInputError {
  readonly entryType: string;

  constructor(entryType: string, path: string, problem: string) {
    super(`${entryType} payload${path ? ` at ${path}` : ''}`, problem);
    this.entryType = entryType;
  }
}

/** A ledger entry type the money fold does not know. */
export class UnknownEntryTypeError extends InvalidInputError {
  constructor(entryType: string) {
    super('type', `${entryType} is not a money entry type`);
  }
}

/**
 * What an entry records as the outcome of its rule (allocations, postings, amounts) is not
 * what the rule computes from the state before it. Live and replay run the same rule, so
 * this means a tampered entry or a rule changed without a new entry version.
 */
export class EntryMismatchError extends DomainError {
  readonly entryType: string;
  readonly field: string;

  constructor(entryType: string, field: string) {
    super('ENTRY_MISMATCH', `Failed to apply ${entryType}: recorded ${field} differs from the recomputed one`);
    this.entryType = entryType;
    this.field = field;
  }
}
