/**
 * Scopes and messages as the server computes them (src/governance/proposal-scope.ts,
 * suggestions.ts), recomputed on the device: a server that sent another proposal's scope
 * could link a resident's ballots, so the device checks the scope it is given.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { SNARK_SCALAR_FIELD } from '../zk/field.ts';

export const PROPOSAL_SCOPE_DOMAIN = 'courtyard/governance/proposal/v1/';
export const SUGGESTION_SCOPE_DOMAIN = 'courtyard/governance/suggestion/v1/';

export function hashTextToField(text: string): bigint {
  return BigInt(`0x${bytesToHex(sha256(utf8ToBytes(text)))}`) % SNARK_SCALAR_FIELD;
}

/** The UUID inside a Relay global id (base64 of `Type:uuid`). */
export function localIdOf(globalId: string): string {
  const decoded = atob(globalId);
  const separator = decoded.indexOf(':');
  if (separator < 0) throw new RangeError(`Invalid global id: ${globalId}`);
  return decoded.slice(separator + 1);
}

export function proposalScope(proposalGlobalId: string): bigint {
  return hashTextToField(`${PROPOSAL_SCOPE_DOMAIN}${localIdOf(proposalGlobalId)}`);
}

/** The scope of a household's `slot`-th anonymous suggestion on one UTC day (YYYY-MM-DD). */
export function suggestionScope(communityGlobalId: string, day: string, slot: number): bigint {
  return hashTextToField(`${SUGGESTION_SCOPE_DOMAIN}${localIdOf(communityGlobalId)}/${day}/${slot}`);
}

export function suggestionMessage(title: string, body: string): bigint {
  return hashTextToField(JSON.stringify([title, body]));
}

export const RATING_SCOPE_DOMAIN = 'courtyard/ratings/v1/';

/** An anonymous rating's scope: one rater per household, subject (its plain id) and period (YYYY-MM). */
export function ratingScope(subjectId: string, period: string): bigint {
  return hashTextToField(`${RATING_SCOPE_DOMAIN}${subjectId}/${period}`);
}

/** Binds the proof to the score and the comment (trimmed; null when none or blank). */
export function ratingMessage(score: number, comment: string | null): bigint {
  return hashTextToField(JSON.stringify([score, normalizedComment(comment)]));
}

export function normalizedComment(comment: string | null | undefined): string | null {
  const trimmed = comment?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}
