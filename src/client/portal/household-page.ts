/**
 * The household page: invoices with their pay status, payments with their receipts, and
 * who read the household's personal data, when and why (the privacy module's access
 * log, `Household.personalDataAccesses`, for the household's members and managers).
 */
import { HOUSEHOLD_MONEY, MY_HOUSEHOLD, PAYMENT_RECEIPT } from '../typed-api/portal-operations.ts';
import { element, section, table, yuan } from './dom.ts';
import { PURPOSE_LABELS } from './i18n.ts';
import type { PortalContext } from './portal-context.ts';

type PayStatus = 'paid' | 'partlyPaid' | 'unpaid';

function payStatus(invoice: { paid: string; open: string }): PayStatus {
  if (BigInt(invoice.open) === 0n) return 'paid';
  return BigInt(invoice.paid) > 0n ? 'partlyPaid' : 'unpaid';
}

/** The resident's own household (the API gives a resident only theirs), or null. */
export async function myHousehold(context: PortalContext) {
  const result = await context.client.request(MY_HOUSEHOLD, { communityId: context.community.id });
  return result.households.edges[0]?.node ?? null;
}

function receiptView(context: PortalContext, paymentId: string): HTMLElement {
  const { t } = context;
  const box = element('div', { class: 'receipt', id: `receipt-${paymentId}`, 'aria-live': 'polite' });
  const show = element('button', { type: 'button', class: 'secondary', 'data-payment': paymentId }, t('showReceipt'));
  show.addEventListener('click', () => {
    show.disabled = true;
    context.client
      .request(PAYMENT_RECEIPT, { communityId: context.community.id, paymentId })
      .then(({ paymentReceipt: receipt }) => {
        box.replaceChildren(
          table(
            `${t('paymentReceipt')} ${receipt.paymentId}`,
            [t('period'), t('amount'), t('invoice')],
            receipt.settled.map((line) => [line.periodId, yuan(line.amount), line.invoiceId]),
          ),
          element('p', {}, `${t('toCredit')}: ${yuan(receipt.toCredit)}`),
        );
        box.dataset['loaded'] = 'true';
      })
      .catch((error: unknown) => box.replaceChildren(element('p', { role: 'alert' }, context.failure(error))))
      .finally(() => (show.disabled = false));
  });
  return element('div', {}, show, box);
}

export async function householdPage(context: PortalContext): Promise<HTMLElement> {
  const { t } = context;
  const page = section('household', t('household'));
  const household = await myHousehold(context);
  if (!household) {
    page.append(element('p', {}, t('noHousehold')));
    return page;
  }
  const money = await context.client.request(HOUSEHOLD_MONEY, {
    communityId: context.community.id,
    householdId: household.id,
  });
  const invoices = money.householdInvoices.edges.map((edge) => edge.node);
  page.append(
    element('h3', {}, t('invoices')),
    invoices.length === 0
      ? element('p', {}, t('noInvoices'))
      : table(
          t('invoices'),
          // The status and what is open first: on a phone the rest scrolls sideways.
          [t('period'), t('status'), t('openAmount'), t('total'), t('paid'), t('dueDate')],
          invoices.map((invoice) => {
            const status = payStatus(invoice);
            return [
              invoice.periodId,
              element(
                'span',
                { class: `status ${status}`, 'data-invoice': invoice.id, 'data-status': status },
                t(status),
              ),
              yuan(invoice.open),
              yuan(invoice.total),
              yuan(invoice.paid),
              invoice.dueDate,
            ];
          }),
          'invoices',
        ),
  );
  const payments = money.householdPayments.edges.map((edge) => edge.node);
  page.append(element('h3', {}, t('payments')));
  if (payments.length === 0) page.append(element('p', {}, t('noPayments')));
  const list = element('ul', { class: 'plain', id: 'payments' });
  for (const payment of payments)
    list.append(
      element(
        'li',
        {},
        element(
          'p',
          {},
          `${payment.receivedOn} · ${yuan(payment.amount)}`,
          BigInt(payment.refunded) > 0n ? ` · ${t('refunded')} ${yuan(payment.refunded)}` : '',
        ),
        receiptView(context, payment.id),
      ),
    );
  if (payments.length) page.append(list);
  const accesses = household.personalDataAccesses.edges.map((edge) => edge.node);
  page.append(
    element('h3', { id: 'access-log-heading' }, t('accessLog')),
    element('p', { class: 'note' }, t('accessLogNote')),
    accesses.length === 0
      ? element('p', { id: 'access-log-empty' }, t('noAccesses'))
      : table(
          t('accessLog'),
          [t('when'), t('why'), t('who')],
          accesses.map((access) => [
            new Date(access.accessedAt).toLocaleString(context.language === 'zh' ? 'zh-CN' : 'en-GB'),
            element('span', { 'data-purpose': access.purpose }, PURPOSE_LABELS[access.purpose][context.language]),
            element('span', { class: 'mono' }, access.accessorAccountId),
          ]),
          'access-log',
        ),
  );
  return page;
}
