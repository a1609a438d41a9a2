/**
 * Activities and ratings: the community's activities (sign the household up while
 * sign-ups are open), a named rating of an activity the household took part in once it has
 * ended (the ratings module decides who may: docs/activities.md), and each service's
 * rating trend across the latest periods as a column chart of the mean score.
 */
import { requireSuccess } from '../typed-api/courtyard-client.ts';
import { ACTIVITIES, RATING_TRENDS, SIGN_UP_FOR_ACTIVITY, SUBMIT_RATING } from '../typed-api/portal-operations.ts';
import { chartFigure, columnChart } from './charts.ts';
import { element, section, yuan } from './dom.ts';
import { myHousehold } from './household-page.ts';
import type { PortalContext } from './portal-context.ts';

const SCORES = [1, 2, 3, 4, 5] as const;
const MAX_SCORE = 5;

const monthOf = (instant: string) => instant.slice(0, 7);

function scoreForm(
  context: PortalContext,
  prefix: string,
  legend: string,
  submit: (score: number) => Promise<{ score: number }>,
): HTMLFormElement {
  const { t } = context;
  const scores = element('fieldset', {}, element('legend', {}, legend));
  for (const score of SCORES) {
    const id = `${prefix}-${score}`;
    scores.append(
      element(
        'span',
        { class: 'score' },
        element('input', { type: 'radio', name: prefix, id, value: String(score) }),
        element('label', { for: id }, String(score)),
      ),
    );
  }
  const status = element('p', { id: `${prefix}-status`, 'aria-live': 'polite' });
  const button = element('button', { type: 'submit', id: `${prefix}-submit` }, t('rateNamed'));
  const form = element('form', { class: 'rating' }, scores, button, status);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const score = Number((form.querySelector(`input[name="${prefix}"]:checked`) as HTMLInputElement | null)?.value);
    if (!score) return;
    button.disabled = true;
    submit(score)
      .then((receipt) => {
        status.dataset['rated'] = String(receipt.score);
        status.textContent = `${t('rated')}${receipt.score}`;
      })
      .catch((error: unknown) => (status.textContent = context.failure(error)))
      .finally(() => (button.disabled = false));
  });
  return form;
}

export async function activitiesPage(context: PortalContext): Promise<HTMLElement> {
  const { t } = context;
  const page = section('activities', t('activities'));
  const [household, activities, subjects] = await Promise.all([
    myHousehold(context),
    context.client.request(ACTIVITIES, { communityId: context.community.id }),
    context.client.request(RATING_TRENDS, { communityId: context.community.id }),
  ]);
  const now = Date.now();
  const list = element('ul', { class: 'plain', id: 'activity-list' });
  for (const { node: activity } of activities.activities.edges) {
    const item = element(
      'li',
      { class: 'activity', 'data-activity': activity.id },
      element('h3', {}, activity.title),
      element('p', {}, activity.description),
      element(
        'p',
        { class: 'note' },
        `${activity.place} · ${new Date(activity.startsAt).toLocaleString(context.language === 'zh' ? 'zh-CN' : 'en-GB')} · ${t('fee')} ${yuan(activity.fee)} · ${activity.participants}/${activity.capacity}`,
      ),
    );
    const status = element('p', { class: 'signup-status', 'aria-live': 'polite' });
    if (activity.status === 'OPEN' && Date.parse(activity.signupsCloseAt) > now && household) {
      const signUp = element('button', { type: 'button', class: 'sign-up' }, t('signUp'));
      // One key per button: a retry after a lost answer is the same sign-up, not a second one.
      const idempotencyKey = globalThis.crypto.randomUUID();
      signUp.addEventListener('click', () => {
        signUp.disabled = true;
        context.client
          .request(SIGN_UP_FOR_ACTIVITY, {
            activityId: activity.id,
            householdId: household.id,
            idempotencyKey,
          })
          .then((result) => {
            const signed = requireSuccess(result.signUpForActivity);
            status.dataset['signupId'] = signed.signupId;
            status.textContent = t('signedUp');
          })
          .catch((error: unknown) => {
            status.textContent = context.failure(error);
            signUp.disabled = false;
          });
      });
      item.append(signUp);
    }
    const subjectId = activity.ratingSubjectId;
    if (subjectId && activity.status !== 'CANCELLED' && Date.parse(activity.endsAt) <= now) {
      const period = monthOf(activity.endsAt);
      item.append(
        scoreForm(context, `rate-activity-${activity.id}`, `${t('rateActivity')} (${period})`, async (score) =>
          requireSuccess(
            (await context.client.request(SUBMIT_RATING, { subjectId, period, score, comment: null })).submitRating,
          ),
        ),
      );
    }
    item.append(status);
    list.append(item);
  }
  page.append(activities.activities.edges.length ? list : element('p', {}, t('noActivities')));

  page.append(element('h3', { id: 'trends-heading' }, t('ratingTrends')));
  for (const subject of subjects.ratingSubjects.filter((candidate) => candidate.kind === 'SERVICE')) {
    const rated = subject.trend.filter((point) => point.aggregate.mean !== null);
    if (rated.length === 0) {
      page.append(element('p', { id: `trend-${subject.key}` }, `${subject.label}: ${t('noRatingsYet')}`));
      continue;
    }
    page.append(
      chartFigure(
        `trend-${subject.key}`,
        subject.label,
        columnChart({
          title: `${subject.label} — ${t('meanScore')}`,
          series: [{ name: t('meanScore'), colour: '#1f5fa8' }],
          groups: subject.trend.map((point) => ({ label: point.period, values: [point.aggregate.mean] })),
          max: MAX_SCORE,
          format: (value) => value.toFixed(1),
        }),
      ),
    );
  }
  return page;
}
