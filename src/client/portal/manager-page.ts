/**
 * The managers' and committee's page: collection rate per period (principal collected
 * over billed, the `collectionRate` report), arrears ageing by bucket, the operating
 * account's cash flow per month, as column charts; and the spends waiting for approvals,
 * each to approve or reject (the API decides whether this account may: never its own
 * proposal, only the roles the account's rule names).
 */
import { requireSuccess } from '../typed-api/courtyard-client.ts';
import {
  APPROVE_SPEND,
  ARREARS_AGEING,
  CASH_FLOW,
  COLLECTION_RATE,
  REJECT_SPEND,
  WAITING_SPENDS,
} from '../typed-api/portal-operations.ts';
import { chartFigure, columnChart } from './charts.ts';
import { element, section, yuan } from './dom.ts';
import type { PortalContext } from './portal-context.ts';

/** How many months the charts show, ending with the current one. */
export const CHART_MONTHS = 6;
const FULL_RATE_BASIS_POINTS = 10_000;

/** The last `count` months (UTC) as period ids, oldest first, ending with the current month. */
export function recentMonths(count: number, today = new Date()): string[] {
  const months: string[] = [];
  for (let back = count - 1; back >= 0; back -= 1) {
    const month = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - back, 1));
    months.push(month.toISOString().slice(0, 7));
  }
  return months;
}

function monthRange(month: string): { from: string; to: string } {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, monthNumber, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

const percent = (basisPoints: number) => `${(basisPoints / 100).toFixed(1)}%`;
const yuanOf = (fen: number) => yuan(BigInt(Math.round(fen)));

async function chartsView(context: PortalContext): Promise<HTMLElement[]> {
  const { t } = context;
  const communityId = context.community.id;
  const months = recentMonths(CHART_MONTHS);
  const [rates, ageing] = await Promise.all([
    Promise.all(months.map((periodId) => context.client.request(COLLECTION_RATE, { communityId, periodId }))),
    context.client.request(ARREARS_AGEING, { communityId }),
  ]);
  const collection = chartFigure(
    'collection-chart',
    t('collectionRate'),
    columnChart({
      title: t('collectionRate'),
      series: [{ name: t('collectionRate'), colour: '#1f5fa8' }],
      groups: rates.map(({ collectionRate }) => ({
        label: collectionRate.periodId,
        values: [collectionRate.rateBasisPoints ?? null],
      })),
      max: FULL_RATE_BASIS_POINTS,
      format: percent,
    }),
  );
  const { arrearsAgeing } = ageing;
  const arrears = chartFigure(
    'arrears-chart',
    `${t('arrearsAgeing')} (${arrearsAgeing.asOf}): ${yuan(arrearsAgeing.arrears)}, ${arrearsAgeing.householdsInArrears} ${t('households')}`,
    columnChart({
      title: t('arrearsAgeing'),
      series: [{ name: t('amount'), colour: '#b3261e' }],
      groups: arrearsAgeing.buckets.map((bucket) => ({
        label: bucket.maxDays === null ? `${bucket.minDays}+ ${t('days')}` : `${bucket.minDays}–${bucket.maxDays}`,
        values: [Number(bucket.amount)],
      })),
      format: yuanOf,
    }),
  );
  const figures = [collection, arrears];
  const operating = ageing.moneyAccounts.find((account) => account.kind === 'OPERATING');
  if (operating) {
    const flows = await Promise.all(
      months.map((month) =>
        context.client.request(CASH_FLOW, { communityId, accountId: operating.id, ...monthRange(month) }),
      ),
    );
    figures.push(
      chartFigure(
        'cash-flow-chart',
        t('cashFlow'),
        columnChart({
          title: t('cashFlow'),
          series: [
            { name: t('inflow'), colour: '#1b6e20' },
            { name: t('outflow'), colour: '#8a4b00' },
          ],
          groups: flows.map(({ cashFlow }, index) => ({
            label: months[index]!,
            values: [Number(cashFlow.inflow), Number(cashFlow.outflow)],
          })),
          format: yuanOf,
        }),
      ),
    );
  }
  return figures;
}

async function approvalsView(context: PortalContext): Promise<HTMLElement> {
  const { t } = context;
  const communityId = context.community.id;
  const { waitingSpends } = await context.client.request(WAITING_SPENDS, { communityId });
  const box = element('div', { id: 'approvals' }, element('h3', {}, t('waitingApprovals')));
  if (waitingSpends.length === 0) {
    box.append(element('p', {}, t('noApprovals')));
    return box;
  }
  const list = element('ul', { class: 'plain' });
  for (const spend of waitingSpends) {
    const status = element('p', { class: 'spend-status', 'aria-live': 'polite' });
    const act = (decision: 'approve' | 'reject') => {
      for (const button of item.querySelectorAll('button')) button.disabled = true;
      const request =
        decision === 'approve'
          ? context.client
              .request(APPROVE_SPEND, { communityId, spendId: spend.id })
              .then((r) => requireSuccess(r.approveSpend))
          : context.client
              .request(REJECT_SPEND, { communityId, spendId: spend.id })
              .then((r) => requireSuccess(r.rejectSpend));
      request
        .then((decided) => {
          status.dataset['status'] = decided.status;
          status.textContent = `${t('spendStatus')}: ${decided.status}`;
        })
        .catch((error: unknown) => {
          status.textContent = context.failure(error);
          for (const button of item.querySelectorAll('button')) button.disabled = false;
        });
    };
    const approve = element('button', { type: 'button', class: 'approve' }, t('approve'));
    approve.addEventListener('click', () => act('approve'));
    const reject = element('button', { type: 'button', class: 'reject secondary' }, t('reject'));
    reject.addEventListener('click', () => act('reject'));
    const item = element(
      'li',
      { class: 'spend', 'data-spend': spend.id },
      element('p', {}, element('strong', {}, yuan(spend.amount)), ` · ${spend.accountId} → ${spend.payeeId}`),
      element(
        'p',
        { class: 'note' },
        `${t('proposedOn')} ${spend.proposedOn} · ${t('expiresOn')} ${spend.expiresOn} · ${spend.approvals.length}/${spend.approvalsRequired} ${t('approvals')}`,
      ),
      element('p', { class: 'actions' }, approve, ' ', reject),
      status,
    );
    list.append(item);
  }
  box.append(list);
  return box;
}

export async function managerPage(context: PortalContext): Promise<HTMLElement> {
  const page = section('manager', context.t('managerPage'));
  page.append(...(await chartsView(context)), await approvalsView(context));
  return page;
}
