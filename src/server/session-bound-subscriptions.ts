/**
 * Every subscription stream lives no longer than the session that opened it: when the
 * session ends (revoked, logged out, password changed elsewhere, expired, account
 * disabled — see src/accounts/session-watch.ts) the stream sends one last result with an
 * UNAUTHENTICATED error and completes. Over SSE and graphql-ws alike, since both run
 * subscriptions through the same envelop `subscribe`.
 *
 * It wraps the stream itself, so no subscription field has to remember to do it.
 */
import { GraphQLError } from 'graphql';
import { Repeater, type Plugin } from 'graphql-yoga';
import type { SessionWatch } from '../accounts/session-watch.ts';
import type { GraphQLContext } from '../graphql/context.ts';

function sessionEndedResult() {
  return { errors: [new GraphQLError('Session ended', { extensions: { code: 'UNAUTHENTICATED' } })] };
}

/** The stream's events until it ends or the session does. */
export function untilSessionEnds<T>(source: AsyncIterable<T>, watch: SessionWatch, sessionId: string): AsyncIterable<T | ReturnType<typeof sessionEndedResult>> {
  return new Repeater(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    let unwatch = () => {};
    const sessionEnded = new Promise<'ended'>((resolve) => {
      unwatch = watch.watch(sessionId, () => resolve('ended'));
    });
    const stopped = stop.then(() => 'stopped' as const);
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), sessionEnded, stopped]);
        if (next === 'stopped') break;
        if (next === 'ended') {
          await push(sessionEndedResult());
          break;
        }
        if (next.done) break;
        await push(next.value);
      }
    } finally {
      unwatch();
      stop();
      await iterator.return?.();
    }
  });
}

export function useSessionBoundSubscriptions(watch: SessionWatch): Plugin {
  return {
    onSubscribe({ args }) {
      const viewer = (args.contextValue as unknown as GraphQLContext).viewer;
      if (!viewer) return undefined;
      return {
        onSubscribeResult({ result, setResult }) {
          if (Symbol.asyncIterator in result) setResult(untilSessionEnds(result, watch, viewer.sessionId) as typeof result);
        },
      };
    },
  };
}
