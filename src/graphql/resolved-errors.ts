/**
 * The expected errors a mutation returned as typed results (`InvalidCredentialsError`,
 * `ForbiddenError`, …), noted while the operation executes so the request log can name
 * their codes: they are data, not GraphQL errors, so the log would not see them otherwise.
 *
 * The Pothos errors plugin calls `noteResolvedError` (builder.ts, `onResolvedError`) for
 * every error it turns into a result; `collectResolvedErrors` runs an execution in a scope
 * that collects them (an AsyncLocalStorage scope, so concurrent operations never mix).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<unknown[]>();

export function noteResolvedError(error: unknown): void {
  scope.getStore()?.push(error);
}

/** Runs `work` with `into` collecting the errors resolved as results meanwhile. */
export function collectResolvedErrors<T>(into: unknown[], work: () => T): T {
  return scope.run(into, work);
}
