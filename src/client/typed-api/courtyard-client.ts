/**
 * A small typed client for the Courtyard GraphQL API: it posts a gql.tada document to
 * `/graphql` of one origin and returns the typed `data`. It works with the `fetch` of
 * Node and of browsers, and needs no GraphQL library at run time besides the printer.
 *
 * Expected failures come back as typed results (`__typename` and `code`), which the
 * caller reads from `data`; `requireSuccess` turns one into a `CourtyardApiError`.
 * Transport and unexpected GraphQL errors throw a `CourtyardApiError` at once.
 */
import { print } from '@0no-co/graphql.web';
import type { TadaDocumentNode } from 'gql.tada';

/** The API's endpoint path on the server's origin. */
export const GRAPHQL_PATH = '/graphql';

export class CourtyardApiError extends Error {
  override readonly name = 'CourtyardApiError';
  /** The machine-readable code: the API's `code`, or `NETWORK` / `HTTP_<status>` / `GRAPHQL_ERROR`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export interface CourtyardClientOptions {
  /** The server's origin, e.g. `https://courtyard.example`; in a page, omit it (same origin). */
  origin?: string;
  /** A session token from `login`. */
  token?: string | null;
  fetch?: typeof globalThis.fetch;
}

interface GraphQLResponseBody<Result> {
  data?: Result | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export class CourtyardClient {
  readonly endpoint: string;
  token: string | null;
  readonly #origin: string;
  readonly #fetch: typeof globalThis.fetch;

  constructor(options: CourtyardClientOptions = {}) {
    this.#origin = options.origin ?? '';
    this.endpoint = `${this.#origin}${GRAPHQL_PATH}`;
    this.token = options.token ?? null;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The same server with no session: anonymous ballots and suggestions are sent so, carrying nothing that names the sender. */
  withoutSession(): CourtyardClient {
    return new CourtyardClient({ origin: this.#origin, token: null, fetch: this.#fetch });
  }

  async request<Result, Variables>(
    document: TadaDocumentNode<Result, Variables>,
    variables: Variables,
  ): Promise<Result> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await this.#fetch(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: print(document), variables }),
      });
    } catch (error) {
      throw new CourtyardApiError('NETWORK', `Failed to reach the Courtyard API: ${(error as Error).message}`);
    }
    let body: GraphQLResponseBody<Result>;
    try {
      body = (await response.json()) as GraphQLResponseBody<Result>;
    } catch {
      throw new CourtyardApiError(
        `HTTP_${response.status}`,
        `Failed to read the Courtyard API's answer (HTTP ${response.status})`,
      );
    }
    const [first] = body.errors ?? [];
    if (first) throw new CourtyardApiError(first.extensions?.code ?? 'GRAPHQL_ERROR', first.message);
    if (!body.data) throw new CourtyardApiError(`HTTP_${response.status}`, 'The Courtyard API answered without data');
    return body.data;
  }
}

/** A typed mutation or query result: its success (with `data`) or a typed error (`code`, `message`). */
type TypedResult = { __typename: string; data?: unknown; code?: unknown; message?: unknown };

/** The success's `data`, or a `CourtyardApiError` with the result's code. */
export function requireSuccess<Result extends TypedResult>(result: Result): Extract<Result, { data: unknown }>['data'] {
  if ('data' in result && result.data !== undefined) return result.data as Extract<Result, { data: unknown }>['data'];
  const code = typeof result.code === 'string' ? result.code : result.__typename;
  const message = typeof result.message === 'string' ? result.message : `Failed: ${result.__typename}`;
  throw new CourtyardApiError(code, message);
}
