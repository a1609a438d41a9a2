/**
 * The ledger's named errors. Those a client may act on extend DomainError and carry a
 * machine-readable code; the rest (a broken proof, a bad signature) are plain
 * verification failures that callers handle themselves.
 */
import { DomainError, InvalidInputError } from '../domain-error.ts';

/** A payload or entry field breaks a ledger rule; the message names the field. */
export class LedgerInputError extends InvalidInputError {}

/** A payload contains a key that may carry personal data, which never enters the ledger. */
export class PersonalDataInPayloadError extends DomainError {
  readonly key: string;

  constructor(key: string) {
    super('PERSONAL_DATA_IN_PAYLOAD', `Failed to append ledger entry: payload key "${key}" may carry personal data; pass ids instead`);
    this.key = key;
  }
}

/** A checkpoint, proof or cosignature did not verify. */
export class LedgerVerificationError extends DomainError {
  constructor(message: string) {
    super('LEDGER_VERIFICATION_FAILED', message);
  }
}

/** The community has no log key yet, so no checkpoint can be signed. */
export class LogKeyMissingError extends DomainError {
  constructor(communityId: string) {
    super('LOG_KEY_MISSING', `Failed to sign checkpoint: community ${communityId} has no log key`);
  }
}
