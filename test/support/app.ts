/**
 * A whole Courtyard app on a fresh test database, driven through `yoga.fetch`
 * exactly as a client would drive it over HTTP.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfiguration } from '../../src/config/configuration.ts';
import { createApp, type App } from '../../src/server/app.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export interface TestApp {
  app: App;
  database: TestDatabase;
  /** The app's data folder (its key file, keys.json). */
  dataDirectory: string;
  /** Every log line the app wrote, as text. */
  logLines: string[];
  graphql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Signs in and returns the bearer token; fails the test when sign-in fails. */
  login(login: string, password: string): Promise<string>;
  adminToken: string;
  dispose(): Promise<void>;
}

/** `settings`: further environment variables of the app's configuration (e.g. REDIS_URL). */
export async function createTestApp(settings: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const dataDirectory = await mkdtemp(join(tmpdir(), 'courtyard-test-'));
  const configuration = loadConfiguration({
    COURTYARD_DATA_DIR: dataDirectory,
    COURTYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'debug',
    ...settings,
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  const app = await createApp(configuration, { orm: database.orm, logger: pino({ level: 'debug' }, sink) });

  async function graphql<T>(query: string, variables?: Record<string, unknown>, token?: string | null) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers['authorization'] = `Bearer ${token}`;
    const response = await app.yoga.fetch('http://courtyard.test/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  }

  async function login(loginName: string, password: string): Promise<string> {
    const result = await graphql(
      `mutation ($login: String!, $password: String!) {
        login(login: $login, password: $password) {
          __typename
          ... on MutationLoginSuccess { data { token } }
          ... on Error { code message }
        }
      }`,
      { login: loginName, password },
    );
    const token = (result.data as any)?.login?.data?.token;
    if (!token) throw new Error(`login of ${loginName} failed: ${JSON.stringify(result)}`);
    return token;
  }

  const adminToken = await login('admin', ADMIN_PASSWORD);
  return {
    app,
    database,
    dataDirectory,
    logLines,
    graphql,
    login,
    adminToken,
    async dispose() {
      await app.close();
      await database.dispose();
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}

/** Runs a mutation and returns its `data`, failing loudly on any error result. */
export async function mutate<T = any>(
  testApp: TestApp,
  field: string,
  document: string,
  variables: Record<string, unknown>,
  token: string,
): Promise<T> {
  const result = await testApp.graphql(document, variables, token);
  const payload = result.data?.[field];
  if (!payload || payload.__typename?.endsWith('Error') || result.errors) {
    throw new Error(`${field} failed: ${JSON.stringify(result)}`);
  }
  return payload.data as T;
}
