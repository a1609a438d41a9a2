/**
 * Settings are checked when they arrive: a bad installation name is refused by
 * loadConfiguration, and `npm start` stops with one clear line instead of starting an
 * installation whose every createCommunity would fail.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, loadConfiguration, CONFIGURATION_EXIT_CODE } from '../../src/config/configuration.ts';

const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const MAIN = new URL('../../src/server/main.ts', import.meta.url).pathname;

describe('DATABASE_REPLICA_URLS', () => {
  const primary = 'postgres://app:secret@primary.internal/courtyard';

  it('lists the standbys, comma-separated, and bounds their lag at 5 s unless told', () => {
    const configuration = loadConfiguration({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: 'postgres://r1/courtyard, postgresql://r2/courtyard' });
    expect(configuration.databaseReplicaUrls).toEqual(['postgres://r1/courtyard', 'postgresql://r2/courtyard']);
    expect(configuration.replicaMaxLagSeconds).toBe(5);
    expect(loadConfiguration({}).databaseReplicaUrls).toEqual([]);
  });

  it.each([
    ['standbys without a primary', { DATABASE_REPLICA_URLS: 'postgres://r1/courtyard' }, /^DATABASE_REPLICA_URLS needs DATABASE_URL/u],
    ['a URL of another scheme, without quoting it', { DATABASE_URL: primary, DATABASE_REPLICA_URLS: 'mysql://user:hunter2@r1/x' }, /^DATABASE_REPLICA_URLS entry 1 (?!.*hunter2)/u],
    ['more than 8 standbys', { DATABASE_URL: primary, DATABASE_REPLICA_URLS: Array(9).fill('postgres://r/c').join(',') }, /at most 8/u],
    ['a negative lag bound', { DATABASE_REPLICA_MAX_LAG_SECONDS: '-1' }, /^DATABASE_REPLICA_MAX_LAG_SECONDS /u],
  ])('refuses %s', (_label, environment, message) => {
    expect(() => loadConfiguration(environment)).toThrow(ConfigurationError);
    expect(() => loadConfiguration(environment)).toThrow(message);
  });
});

describe('COURTYARD_INSTALLATION_NAME', () => {
  it.each([
    ['a space', 'my courtyard'],
    ['a plus sign', 'courtyard+test.example.org'],
    ['a scheme', 'https://courtyard.example.org'],
    ['a trailing slash', 'courtyard.example.org/'],
    ['an empty path segment', 'courtyard.example.org//a'],
    ['a no-break space', 'courtyard\u00a0example.org'],
    ['a control character', 'courtyard\u0000.example.org'],
    ['a non-ASCII letter', 'courtyard.例子.org'],
    ['more than 200 characters', `${'a'.repeat(201)}.org`],
  ])('refuses %s at start-up, naming the variable', (_label, value) => {
    expect(() => loadConfiguration({ COURTYARD_INSTALLATION_NAME: value })).toThrow(ConfigurationError);
    expect(() => loadConfiguration({ COURTYARD_INSTALLATION_NAME: value })).toThrow(/^COURTYARD_INSTALLATION_NAME /u);
  });

  it.each(['courtyard.example.org', 'example.org/courtyard', 'courtyard.localhost', 'localhost:4000', 'x'])('accepts %s', (value) => {
    expect(loadConfiguration({ COURTYARD_INSTALLATION_NAME: value }).installationName).toBe(value);
  });

  it('defaults to courtyard.localhost, also when set empty', () => {
    expect(loadConfiguration({}).installationName).toBe('courtyard.localhost');
    expect(loadConfiguration({ COURTYARD_INSTALLATION_NAME: '' }).installationName).toBe('courtyard.localhost');
  });
});

describe('REDIS_URL', () => {
  it('is unset for one instance, also when set empty', () => {
    expect(loadConfiguration({}).redisUrl).toBeUndefined();
    expect(loadConfiguration({ REDIS_URL: '' }).redisUrl).toBeUndefined();
  });

  it.each(['redis://127.0.0.1:6379', 'rediss://user:secret@redis.example.org:6380/2'])('accepts %s', (value) => {
    expect(loadConfiguration({ REDIS_URL: value }).redisUrl).toBe(value);
  });

  it.each(['127.0.0.1:6379', 'http://127.0.0.1:6379', 'redis//secret@host'])('refuses %s, naming the variable and never quoting the value', (value) => {
    expect(() => loadConfiguration({ REDIS_URL: value })).toThrow(/^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/u);
    try {
      loadConfiguration({ REDIS_URL: value });
    } catch (error) {
      expect((error as Error).message).not.toContain(value);
    }
  });
});

describe('npm start with a bad setting', () => {
  let dataDirectory: string;
  beforeAll(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'courtyard-config-'));
  });
  afterAll(() => rm(dataDirectory, { recursive: true, force: true }));

  it('stops before opening anything, with one line on stderr and its own exit code', async () => {
    const child = spawn(NODE, [MAIN], {
      env: { ...process.env, DATABASE_URL: '', COURTYARD_DATA_DIR: dataDirectory, PORT: '0', COURTYARD_INSTALLATION_NAME: 'my courtyard' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // A server that did start is stopped, so the test fails instead of hanging.
    const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    expect(code).toBe(CONFIGURATION_EXIT_CODE);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Courtyard cannot start: COURTYARD_INSTALLATION_NAME /u)]);
    expect(stdout).not.toContain('listening');
  });
});
