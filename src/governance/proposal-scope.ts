/**
 * How an anonymous ballot is bound to its proposal and its choice, for provers and
 * verifiers alike:
 *
 *   scope   = SHA-256("courtyard/governance/proposal/v1/" ‖ proposal id) mod r
 *   message = 1 + the choice's position among the proposal's options (ballotOptions order)
 *
 * The nullifier Poseidon(scope, secret) is then one per identity and proposal, and a
 * proof made for one choice does not verify for another.
 */
import { createHash } from 'node:crypto';
import { SNARK_SCALAR_FIELD } from '../zk/field.ts';
import { GovernanceError } from './governance-errors.ts';
import { ballotOptions, type BallotForm } from './tally-rules.ts';

export const PROPOSAL_SCOPE_DOMAIN = 'courtyard/governance/proposal/v1/';
export const SUGGESTION_SCOPE_DOMAIN = 'courtyard/governance/suggestion/v1/';

function hashToField(text: string): bigint {
  return BigInt(`0x${createHash('sha256').update(text, 'utf8').digest('hex')}`) % SNARK_SCALAR_FIELD;
}

export function proposalScope(proposalId: string): bigint {
  return hashToField(`${PROPOSAL_SCOPE_DOMAIN}${proposalId}`);
}

/** The scope of a household's `slot`-th anonymous suggestion on one UTC day (YYYY-MM-DD). */
export function suggestionScope(communityId: string, day: string, slot: number): bigint {
  return hashToField(`${SUGGESTION_SCOPE_DOMAIN}${communityId}/${day}/${slot}`);
}

export function choiceMessage(form: BallotForm, choice: string): bigint {
  const index = ballotOptions(form).indexOf(choice);
  if (index < 0) throw new GovernanceError('UNKNOWN_CHOICE', 'Failed to cast ballot: the choice is not an option of this proposal');
  return BigInt(index + 1);
}
