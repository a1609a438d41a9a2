/**
 * Live reports over GraphQL: collection rate per period and arrears ageing, computed from
 * the projection tables by the pure report rules. Aggregates only — no household is named —
 * for the community's members and its regulators. And `moneyMoved`, pushed after each
 * commit that moved money in this server process.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { ForbiddenError, UnauthenticatedError } from '../../domain-error.ts';
import { canReadCommunity, hasCommunityRole } from '../../accounts/viewer.ts';
import { communityIdOf, moneyContext } from '../../funds/api/money-account.ts';
import type { ArrearsAgeing, AgeingBucket, CollectionRate } from '../fee-reports.ts';
import type { MoneyMovedEvent } from '../money-services.ts';
import { arrearsReport, collectionRateReport } from '../money-reports.ts';

export const CollectionRateRef = builder.objectRef<CollectionRate>('CollectionRate').implement({
  fields: (t) => ({
    periodId: t.exposeString('periodId'),
    invoiceCount: t.exposeInt('invoiceCount'),
    paidInFullCount: t.exposeInt('paidInFullCount'),
    billed: t.field({ type: 'Money', resolve: (rate) => rate.billedFen }),
    collected: t.field({ type: 'Money', resolve: (rate) => rate.collectedFen }),
    rateBasisPoints: t.exposeInt('rateBasisPoints', {
      nullable: true,
      description: 'collected / billed in 0.01 %, rounded half up; null when nothing was billed.',
    }),
  }),
});

builder.queryField('collectionRate', (t) =>
  t.field({
    type: CollectionRateRef,
    description: "Principal collected over principal billed for one period's invoices (late fees apart).",
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      periodId: t.arg.string({ required: true, validate: z.string().max(7) }),
    },
    resolve: (_root, args, context) => collectionRateReport(moneyContext(context), communityIdOf(args), args.periodId),
  }),
);

const AgeingBucketRef = builder.objectRef<AgeingBucket>('AgeingBucket').implement({
  fields: (t) => ({
    minDays: t.exposeInt('minDays'),
    maxDays: t.exposeInt('maxDays', { nullable: true }),
    amount: t.field({ type: 'Money', resolve: (bucket) => bucket.amountFen }),
    invoiceCount: t.exposeInt('invoiceCount'),
  }),
});

export const ArrearsRef = builder.objectRef<ArrearsAgeing>('ArrearsAgeing').implement({
  fields: (t) => ({
    asOf: t.exposeString('asOf'),
    buckets: t.field({ type: [AgeingBucketRef], resolve: (report) => report.buckets }),
    arrears: t.field({ type: 'Money', resolve: (report) => report.arrearsFen }),
    householdsInArrears: t.exposeInt('householdsInArrears'),
    notYetDue: t.field({ type: 'Money', resolve: (report) => report.notYetDueFen }),
  }),
});

builder.queryField('arrearsAgeing', (t) =>
  t.field({
    type: ArrearsRef,
    description: 'Open invoices by days past due today: 1–30, 31–90, 91–180, over 180.',
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    resolve: (_root, args, context) => arrearsReport(moneyContext(context), communityIdOf(args)),
  }),
);

/**
 * The pub/sub attaches its listener only when the stream is first read; this reads at once,
 * so every event published after the subscription was accepted reaches the subscriber.
 */
function listeningNow<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  const iterator = source[Symbol.asyncIterator]();
  let first: Promise<IteratorResult<T>> | undefined = iterator.next();
  return {
    [Symbol.asyncIterator]: () => ({
      next() {
        const pending = first ?? iterator.next();
        first = undefined;
        return pending;
      },
      return: (value?: unknown) =>
        iterator.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined as T }),
    }),
  };
}

const MoneyMovedRef = builder.objectRef<MoneyMovedEvent>('MoneyMoved').implement({
  fields: (t) => ({
    kind: t.exposeString('kind', {
      description: 'transfers, payment, refund, correction, invoices, late-fees, reminders or spend.',
    }),
    id: t.exposeString('id', { nullable: true }),
    amount: t.field({
      type: 'Money',
      description: 'Fen moved, or records made by a run.',
      resolve: (event) => event.amountFen,
    }),
  }),
});

builder.subscriptionField('moneyMoved', (t) =>
  t.field({
    type: MoneyMovedRef,
    description: "Managers and committee: each commit that moves the community's money, as it happens.",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    subscribe: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      if (!context.viewer) throw new UnauthenticatedError();
      if (
        !canReadCommunity(context.viewer, communityId) ||
        !hasCommunityRole(context.viewer, communityId, ['manager', 'committee'])
      ) {
        throw new ForbiddenError("Only the community's managers and committee follow its money");
      }
      return listeningNow(context.services.pubsub.subscribe('fees:money-moved', communityId));
    },
    resolve: (event) => event,
  }),
);
