/**
 * Ledger entries: the `LedgerEntry` node, the `ledgerEntries` connection (cursor = seq,
 * filtered by type and time), `ledgerEntry` by sequence number, and the
 * `ledgerEntryAppended` subscription. Any reader of the community (member, its
 * regulator, admin) may read its ledger: it holds ids and amounts, never personal data.
 */
import type { DefaultConnectionArguments } from '@pothos/plugin-relay';
import { CONNECTION_PAGE_MAX_SIZE, keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { Repeater } from 'graphql-yoga';
import { textArgument } from '../../graphql/text-argument.ts';
import { builder } from '../../graphql/builder.ts';
import { parseUuid } from '../../graphql/ids.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { formatLedgerId, LOG_ID_DESCRIPTION, LOG_OWNER_REFS, parseLedgerId, toSafeIndex } from '../../ledger/api/ledger-arguments.ts';
import { canReadLog, requireLogReader } from '../../accounts/viewer.ts';
import { InvalidInputError } from '../../domain-error.ts';
import { MAX_ENTRY_TYPE_LENGTH } from '../../ledger/entry-encoding.ts';
import { getEntry, type StoredEntry } from '../../ledger/entries.ts';
import type { SubscriptionTopics } from '../../kernel/domain-module.ts';
import type { LedgerTopic } from '../topics.ts';

export const LedgerEntryRef = builder.objectRef<StoredEntry>('LedgerEntry');

builder.node(LedgerEntryRef, {
  description: "One entry of a community's verifiable log: ids and amounts, never personal data.",
  id: { resolve: (entry) => formatLedgerId(entry.communityId, entry.seq), parse: (id) => parseLedgerId(id) },
  loadOne: async ({ communityId, index }, context) => {
    if (!canReadLog(context.viewer, communityId)) return null;
    return (await getEntry(context.em, communityId, index)) ?? null;
  },
  fields: (t) => ({
    seq: t.field({ type: 'BigInt', description: 'Position in the log from 0; also the leaf index.', resolve: (entry) => BigInt(entry.seq) }),
    type: t.exposeString('type', { description: 'Dotted event name, e.g. "privacy.access".' }),
    payload: t.string({
      description: 'The payload as RFC 8785 canonical JSON text.',
      resolve: (entry, _args, context) => context.services.ledger.entryPages.canonicalPayload(entry),
    }),
    actor: t.exposeString('actor', { description: 'Account id, or "system" / "anonymous".' }),
    time: t.expose('time', { type: 'DateTime' }),
    leafHash: t.expose('leafHash', { type: 'Hex', description: 'SHA-256(0x00 ‖ RFC 8785 bytes of the entry), RFC 9162.' }),
  }),
});

export interface EntryFilter {
  type?: string | null | undefined;
  since?: Date | null | undefined;
  until?: Date | null | undefined;
  /** Only seq ≥ fromSeq and < toSeq (a block). */
  fromSeq?: number;
  toSeq?: number;
}

/** A keyset connection over one community's entries in sequence order (key: seq). */
export function resolveEntryConnection(context: GraphQLContext, communityId: string, args: DefaultConnectionArguments, filter: EntryFilter) {
  return resolveKeysetConnection(
    args,
    (page) => {
      const afterSeq = Math.max(page.after?.[0] ?? -1, (filter.fromSeq ?? 0) - 1);
      const beforeSeq = Math.min(page.before?.[0] ?? Number.MAX_SAFE_INTEGER, filter.toSeq ?? Number.MAX_SAFE_INTEGER);
      return context.services.ledger.entryPages.list(context.em, communityId, {
        afterSeq,
        beforeSeq,
        limit: page.limit,
        descending: page.backwards,
        type: filter.type ?? undefined,
        since: filter.since ?? undefined,
        until: filter.until ?? undefined,
      });
    },
    { name: 'ledgerEntries', keyOf: (entry) => [entry.seq] as const, parseKey: keyParsers.oneInteger },
  );
}

builder.queryField('ledgerEntries', (t) =>
  t.connection({
    type: LedgerEntryRef,
    description: `A community's ledger entries in sequence order, at most ${CONNECTION_PAGE_MAX_SIZE} per page.`,
    args: {
      communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }),
      type: t.arg.string({ description: 'Only entries of this type.', validate: textArgument({ maxLength: MAX_ENTRY_TYPE_LENGTH }).optional().nullable() }),
      since: t.arg({ type: 'DateTime', description: 'Only entries recorded at or after this instant.' }),
      until: t.arg({ type: 'DateTime', description: 'Only entries recorded before this instant.' }),
    },
    resolve: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireLogReader(context.viewer, communityId);
      if (args.since && args.until && args.since > args.until) throw new InvalidInputError('until', 'must not be before since');
      return resolveEntryConnection(context, communityId, args, { type: args.type, since: args.since, until: args.until });
    },
  }),
);

builder.queryField('ledgerEntry', (t) =>
  t.field({
    type: LedgerEntryRef,
    nullable: true,
    description: 'One entry by its sequence number; null beyond the log.',
    args: {
      communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }),
      seq: t.arg({ type: 'BigInt', required: true }),
    },
    resolve: async (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireLogReader(context.viewer, communityId);
      return (await getEntry(context.em, communityId, toSafeIndex(args.seq, 'seq'))) ?? null;
    },
  }),
);

/**
 * Follows a community's topic for one subscriber. The community's head is polled only
 * while someone follows it (src/ledger/log-feed.ts); events are published after commit.
 */
export async function followCommunity<Topic extends LedgerTopic>(
  context: GraphQLContext,
  topic: Topic,
  communityId: string,
): Promise<AsyncIterable<SubscriptionTopics[Topic][1]>> {
  const { pubsub, ledger } = context.services;
  // Subscribe to the topic before the feed reads the head, so nothing after it is missed.
  const source = pubsub.subscribe(topic, communityId)[Symbol.asyncIterator]();
  const release = await ledger.feed.retain(communityId);
  return new Repeater<SubscriptionTopics[Topic][1]>(async (push, stop) => {
    const stopped = stop.then(() => undefined);
    try {
      for (;;) {
        const next = await Promise.race([source.next(), stopped]);
        if (!next || next.done) break;
        await push(next.value);
      }
    } finally {
      release();
      await source.return?.();
    }
  });
}

builder.subscriptionField('ledgerEntryAppended', (t) =>
  t.field({
    type: LedgerEntryRef,
    description: "Each entry appended to the community's log from now on, once committed.",
    args: { communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }) },
    subscribe: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireLogReader(context.viewer, communityId);
      return followCommunity(context, 'ledger:entryAppended', communityId);
    },
    resolve: (entry) => entry,
  }),
);
