/**
 * The caller's reminders to act on spends waiting for their approval (src/fees/approver-reminders.ts).
 */
import { builder } from '../../graphql/builder.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { communityIdOf, moneyContext } from '../../funds/api/money-account.ts';
import { approverRemindersOf, type ApproverReminderRow } from '../approver-reminders.ts';
import { requireBooksReader } from '../money-commands.ts';

const ApproverReminderRef = builder.objectRef<ApproverReminderRow>('ApproverReminder').implement({
  description: 'A reminder to act on a spend that waits for your approval, as queued in the outbox.',
  fields: (t) => ({
    spendId: t.exposeString('spendId'),
    step: t.exposeInt('step', { description: 'The n-th reminder: one every 3 days after the proposal.' }),
    queuedOn: t.exposeString('queuedOn'),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('myApproverReminders', (t) =>
  t.connection({
    type: ApproverReminderRef,
    description: "Managers and committee: your reminders of the community's spends waiting for you, newest first.",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    resolve: (_root, args, context) => {
      const money = moneyContext(context);
      const communityId = communityIdOf(args);
      const viewer = requireBooksReader(money.viewer, communityId);
      return resolveKeysetConnection(
        args,
        (page) => approverRemindersOf(money.em, communityId, viewer.accountId, page),
        { name: 'myApproverReminders', keyOf: (row) => [row.id] as const, parseKey: keyParsers.oneInteger },
      );
    },
  }),
);
