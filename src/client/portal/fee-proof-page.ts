/**
 * Answering a verifier's challenge with a fee proof (docs/fee-proofs.md): the verifier
 * (a parking office, an organiser) asks the API for a challenge and hands the resident
 * its text; this page reads the period's paid set (every leaf, so the server does not
 * learn which one is interested), and the Web Worker rebuilds it, takes the household's
 * path and proves membership with attribute = the period number and the challenge's
 * scope and message. The proof is shown for the verifier to submit (`submitFeeProof`);
 * it names no household.
 */
import { CensusParticipationError } from '../participation-error.ts';
import type { PaidSetLeafJson } from '../fee-proof.ts';
import type { ResultOf } from '../typed-api/tada.ts';
import { FEE_PAID_SET } from '../typed-api/portal-operations.ts';
import { element, section } from './dom.ts';
import type { PortalContext } from './portal-context.ts';

const LEAVES_PAGE_SIZE = 100;
/** The deepest declared circuit (20) holds 2^20 leaves. */
const MAX_PAID_SET_PAGES = 2 ** 20 / LEAVES_PAGE_SIZE;
const DECIMAL = /^[0-9]{1,78}$/u;
const PERIOD_ID = /^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$/u;

export interface FeeProofChallengeText {
  id: string;
  periodId: string;
  periodNumber: number;
  scope: string;
  message: string;
}

/** The challenge as the verifier's API answer gives it (JSON); each field checked, the bad one named. */
export function parseChallenge(text: string): FeeProofChallengeText {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CensusParticipationError('CHALLENGE_MALFORMED', 'Invalid challenge: not JSON');
  }
  const bad = (field: string) =>
    new CensusParticipationError('CHALLENGE_MALFORMED', `Invalid challenge: ${field} is missing or malformed`);
  if (typeof parsed['id'] !== 'string' || parsed['id'].length === 0 || parsed['id'].length > 100) throw bad('id');
  if (typeof parsed['periodId'] !== 'string' || !PERIOD_ID.test(parsed['periodId'])) throw bad('periodId');
  if (!Number.isSafeInteger(parsed['periodNumber'])) throw bad('periodNumber');
  for (const field of ['scope', 'message'])
    if (typeof parsed[field] !== 'string' || !DECIMAL.test(parsed[field])) throw bad(field);
  return {
    id: parsed['id'],
    periodId: parsed['periodId'],
    periodNumber: parsed['periodNumber'] as number,
    scope: parsed['scope'] as string,
    message: parsed['message'] as string,
  };
}

async function fetchPaidSet(context: PortalContext, periodId: string) {
  const leaves: PaidSetLeafJson[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAID_SET_PAGES; page += 1) {
    const result: ResultOf<typeof FEE_PAID_SET> = await context.client.request(FEE_PAID_SET, {
      communityId: context.community.id,
      periodId,
      first: LEAVES_PAGE_SIZE,
      after,
    });
    const set = result.feePaidSet;
    leaves.push(...set.leaves.edges.map((edge) => edge.node));
    if (!set.leaves.pageInfo.hasNextPage)
      return { depth: set.depth, root: set.root, periodNumber: set.periodNumber, leaves };
    after = set.leaves.pageInfo.endCursor;
  }
  throw new CensusParticipationError(
    'CENSUS_INCOMPLETE',
    'Failed to read the paid set: more leaves than any circuit holds',
  );
}

async function answer(context: PortalContext, challenge: FeeProofChallengeText, progress: HTMLProgressElement) {
  const identity = context.householdIdentity;
  if (!identity) throw new CensusParticipationError('NOT_IN_CENSUS', context.t('noHouseholdIdentity'));
  const paidSet = await fetchPaidSet(context, challenge.periodId);
  if (paidSet.periodNumber !== challenge.periodNumber)
    throw new CensusParticipationError(
      'WRONG_PERIOD',
      "Failed to prove: the challenge's period number is not the paid set's",
    );
  progress.hidden = false;
  return context.proveInWorker(
    { kind: 'paid-set', secret: String(identity.secret), paidSet, scope: challenge.scope, message: challenge.message },
    progress,
  );
}

export function feeProofPage(context: PortalContext): HTMLElement {
  const { t } = context;
  const input = element('textarea', { id: 'challenge', rows: '5', required: '', spellcheck: 'false' });
  const progress = element('progress', { id: 'fee-progress', max: '4', value: '0', 'aria-label': t('proving') });
  progress.hidden = true;
  const output = element('textarea', { id: 'fee-proof', rows: '6', readonly: '', spellcheck: 'false' });
  const result = element(
    'div',
    { id: 'fee-proof-result', hidden: '' },
    element('label', { for: 'fee-proof' }, t('feeProofOut')),
    output,
  );
  const status = element('p', { id: 'fee-proof-status', 'aria-live': 'polite' });
  const button = element('button', { type: 'submit', id: 'prove-fees' }, t('proveFees'));
  const form = element(
    'form',
    { id: 'fee-proof-form' },
    element('p', {}, element('label', { for: 'challenge' }, t('challenge')), input),
    button,
    progress,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    result.hidden = true;
    delete status.dataset['proved'];
    status.textContent = '';
    Promise.resolve()
      .then(() => answer(context, parseChallenge(input.value), progress))
      .then((proof) => {
        output.value = proof.json;
        result.hidden = false;
        status.dataset['proved'] = 'true';
        status.textContent = t('feeProofReady');
      })
      .catch((error: unknown) => {
        status.dataset['proved'] = 'false';
        status.textContent = context.failure(error);
      })
      .finally(() => (button.disabled = false));
  });
  return section('fee-proof-page', t('feeProof'), element('p', {}, t('feeProofIntro')), form, status, result);
}
