import { describe, expect, it } from 'vitest';
import { ConfigError, configTableMarkdown, ENV_SCHEMA, loadConfig } from './index.js';

describe('loadConfig', () => {
  it('defaults to the embedded database and in-memory store', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: 'pglite', dataDir: './.switchboard' });
    expect(config.store).toEqual({ kind: 'memory' });
    expect(config.port).toBe(3000);
    expect(config.cookieSecure).toBe(false);
  });

  it('switches to PostgreSQL and Redis by URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/sb', REDIS_URL: 'redis://cache:6379' });
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db:5432/sb',
      migrationUrl: 'postgres://u@db:5432/sb',
      maxConnections: 10,
    });
    expect(
      loadConfig({ DATABASE_URL: 'postgres://u@db/sb', DATABASE_POOL_SIZE: '40' }).database,
    ).toMatchObject({
      maxConnections: 40,
    });
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(
      expect.objectContaining({ variable: 'DATABASE_POOL_SIZE' }),
    );
    expect(config.store).toEqual({ kind: 'redis', url: 'redis://cache:6379' });
  });

  it('migrates with the owner URL when one is given, and only for PostgreSQL', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://switchboard_runtime@db/sb',
      DATABASE_MIGRATION_URL: 'postgres://switchboard_owner@db/sb',
    });
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://switchboard_runtime@db/sb',
      migrationUrl: 'postgres://switchboard_owner@db/sb',
      maxConnections: 10,
    });
    expect(() => loadConfig({ DATABASE_MIGRATION_URL: 'postgres://owner@db/sb' })).toThrow(
      /DATABASE_MIGRATION_URL/,
    );
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).database.kind).toBe('pglite');
  });

  it('makes cookies Secure behind an https public URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://voice.example.com/' })).toMatchObject({
      publicUrl: 'https://voice.example.com',
      cookieSecure: true,
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'http://x'],
    ['LOG_LEVEL', 'loud'],
    ['SESSION_TTL_MS', '-5'],
    ['SEED_DEMO', 'maybe'],
    ['SECRETS_KEY', 'too-short'],
    ['PUBLIC_URL', 'not a url'],
  ])('names %s in one line when its value is bad (%s)', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect((error as Error).message).not.toContain('\n');
  });

  it.each([
    [{ RECORDINGS_S3_BUCKET: 'rec' }, 'RECORDINGS_S3_ACCESS_KEY_ID'],
    [{ RECORDINGS_S3_BUCKET: 'rec', RECORDINGS_S3_ACCESS_KEY_ID: 'AK' }, 'RECORDINGS_S3_SECRET_ACCESS_KEY'],
    [{ OPENAI_API_KEY: 'sk', RIME_API_KEY: 'r' }, 'DEEPGRAM_API_KEY'],
    [{ SANDBOX: 'off' }, 'DEEPGRAM_API_KEY'],
    [{ DEEPGRAM_API_KEY: 'd', OPENAI_API_KEY: 'sk' }, 'RIME_API_KEY'],
  ])('refuses incomplete credentials at start-up (%j → %s)', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ variable }));
  });

  it('runs several processes only on PostgreSQL, Redis, a fixed port and no in-process sandbox', () => {
    const shared = {
      DATABASE_URL: 'postgres://app@db/sb',
      REDIS_URL: 'redis://cache:6379',
      SANDBOX: 'off',
      SANDBOX_PROVIDER_KEYS: 'true',
    };
    expect(loadConfig({ ...shared, PROCESSES: '2' }).processes).toBe(2);
    expect(loadConfig({}).processes).toBe(1);
    for (const [env, problem] of [
      [{ ...shared, DATABASE_URL: undefined }, /DATABASE_URL/],
      [{ ...shared, REDIS_URL: undefined }, /REDIS_URL/],
      [{ ...shared, PORT: '0' }, /fixed PORT/],
      [{ ...shared, SANDBOX: 'on' }, /SANDBOX=off/],
      [{ ...shared, SANDBOX: undefined, SANDBOX_PROVIDER_KEYS: undefined }, /SANDBOX=off/],
    ] as const) {
      expect(() => loadConfig({ ...env, PROCESSES: '2' })).toThrow(
        expect.objectContaining({ variable: 'PROCESSES', message: expect.stringMatching(problem) }),
      );
    }
    expect(() => loadConfig({ PROCESSES: '0' })).toThrow(expect.objectContaining({ variable: 'PROCESSES' }));
  });

  it('accepts complete S3 credentials and provider keys', () => {
    const config = loadConfig({
      RECORDINGS_S3_BUCKET: 'rec',
      RECORDINGS_S3_ACCESS_KEY_ID: 'AK',
      RECORDINGS_S3_SECRET_ACCESS_KEY: 'SK',
      DEEPGRAM_API_KEY: 'd',
      OPENAI_API_KEY: 'sk',
      RIME_API_KEY: 'r',
    });
    expect(config.voice.recordings).toMatchObject({ kind: 's3', accessKeyId: 'AK', secretAccessKey: 'SK' });
    expect(config.sandbox.enabled).toBe(false);
  });

  it('documents every variable in the generated table', () => {
    const table = configTableMarkdown();
    for (const name of Object.keys(ENV_SCHEMA)) expect(table).toContain(`\`${name}\``);
  });
});
