/**
 * One structured log line per GraphQL operation: its name and type, how long it
 * took and the error codes it produced. Variables and results are never logged:
 * they may carry personal data.
 */
import type { Plugin } from 'graphql-yoga';
import { getOperationAST } from 'graphql';
import type { Logger } from './logger.ts';

export function useRequestLog(logger: Logger): Plugin {
  return {
    onExecute({ args }) {
      const startedAtMs = performance.now();
      const operation = getOperationAST(args.document, args.operationName ?? undefined);
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return;
          const errors = result.errors ?? [];
          // Unexpected failures are logged by class and message for operators; the database never
          // holds personal data in clear, so its messages cannot carry any.
          const unexpected = errors
            .filter((error) => error.extensions?.['code'] === undefined && error.originalError)
            .map((error) => `${error.originalError!.name}: ${error.originalError!.message}`);
          logger.info(
            {
              operation: operation?.name?.value ?? null,
              type: operation?.operation ?? null,
              durationMs: Math.round(performance.now() - startedAtMs),
              errorCodes: errors.map((error) => String(error.extensions?.['code'] ?? 'INTERNAL')),
              ...(unexpected.length ? { unexpected } : {}),
            },
            'graphql operation',
          );
        },
      };
    },
  };
}
