import { z } from 'zod';

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const durationMs = z.coerce.number().int().positive();

/**
 * Every setting Switchboard reads, with its default. `description` feeds the README's configuration
 * table (`switchboard config --markdown`), so a new variable is documented where it is declared.
 */
export const ENV_SCHEMA = {
  HOST: {
    schema: z.string().min(1).default('127.0.0.1'),
    description: 'Interface the HTTP server binds to.',
  },
  PORT: {
    schema: z.coerce.number().int().min(0).max(65535).default(3000),
    description: 'HTTP port (0 = any free port).',
  },
  PUBLIC_URL: {
    schema: z.url().optional(),
    description:
      'Public base URL as Twilio sees it (signature checks, TwiML URLs). Default: http://HOST:PORT.',
  },
  DATABASE_URL: {
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    description: 'PostgreSQL connection URL. Unset: embedded PGlite in DATA_DIR.',
  },
  REDIS_URL: {
    schema: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .optional(),
    description: 'Redis connection URL. Unset: in-memory store (single process).',
  },
  DATA_DIR: {
    schema: z.string().min(1).default('./.switchboard'),
    description: 'Embedded database, keys and recordings.',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    description: 'pino log level.',
  },
  SESSION_TTL_MS: {
    schema: durationMs.default(12 * 60 * 60 * 1000),
    description: 'Idle lifetime of a login session.',
  },
  COOKIE_SECURE: {
    schema: boolean.optional(),
    description: 'Mark cookies Secure. Default: true when PUBLIC_URL is https.',
  },
  LOGIN_MAX_ATTEMPTS: {
    schema: z.coerce.number().int().positive().default(5),
    description: 'Failed logins allowed per account (and 4x per IP) in LOGIN_WINDOW_MS.',
  },
  LOGIN_WINDOW_MS: { schema: durationMs.default(15 * 60 * 1000), description: 'Login rate-limit window.' },
  BODY_LIMIT_BYTES: {
    schema: z.coerce.number().int().positive().default(1_048_576),
    description: 'Largest accepted request body.',
  },
  SECRETS_KEY: {
    schema: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
      .optional(),
    description:
      'AES-256-GCM key for secrets at rest (base64, 32 bytes). Unset: generated into DATA_DIR/secrets.key.',
  },
  SEED_DEMO: {
    schema: boolean.default(true),
    description: 'Seed the demo tenants and logins into an empty database.',
  },
  TWILIO_ACCOUNT_SID: {
    schema: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits')
      .optional(),
    description: 'Twilio account (with TWILIO_AUTH_TOKEN): import its numbers and set their voice webhook.',
  },
  TWILIO_AUTH_TOKEN: {
    schema: z.string().min(1).optional(),
    description: 'Twilio auth token for TWILIO_ACCOUNT_SID.',
  },
  TWILIO_API_BASE_URL: {
    schema: z.url().optional(),
    description: 'Send Twilio REST calls here instead of https://api.twilio.com (the sandbox emulator).',
  },
  OUTBOUND_ALLOWED_HOSTS: {
    schema: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    description:
      'Comma-separated hosts, host:port, IPs or CIDRs that outbound calls (n8n) may reach even though they are private, loopback or link-local.',
  },
} as const;

type EnvSchema = typeof ENV_SCHEMA;
type RawEnv = { [K in keyof EnvSchema]: z.output<EnvSchema[K]['schema']> };

export interface Config {
  host: string;
  port: number;
  publicUrl: string | undefined;
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };
  store: { kind: 'memory' } | { kind: 'redis'; url: string };
  dataDir: string;
  logLevel: RawEnv['LOG_LEVEL'];
  sessionTtlMs: number;
  cookieSecure: boolean;
  login: { maxAttempts: number; windowMs: number };
  bodyLimitBytes: number;
  seedDemo: boolean;
  secretsKey: string | undefined;
  /** Set when both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are. */
  twilio: { accountSid: string; authToken: string; apiBaseUrl: string | undefined } | undefined;
  outboundAllowedHosts: string[];
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Parses settings from an environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const [name, { schema }] of Object.entries(ENV_SCHEMA)) {
    const value = env[name] === '' ? undefined : env[name];
    const result = (schema as z.ZodType).safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new ConfigError(name, `${issue?.message ?? 'is invalid'} (got ${JSON.stringify(value)})`);
    }
    raw[name] = result.data;
  }
  const e = raw as RawEnv;
  if ((e.TWILIO_ACCOUNT_SID === undefined) !== (e.TWILIO_AUTH_TOKEN === undefined)) {
    throw new ConfigError(
      e.TWILIO_ACCOUNT_SID === undefined ? 'TWILIO_ACCOUNT_SID' : 'TWILIO_AUTH_TOKEN',
      'must be set together with the other Twilio credential',
    );
  }
  return {
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'pglite', dataDir: e.DATA_DIR },
    store: e.REDIS_URL ? { kind: 'redis', url: e.REDIS_URL } : { kind: 'memory' },
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    sessionTtlMs: e.SESSION_TTL_MS,
    cookieSecure: e.COOKIE_SECURE ?? e.PUBLIC_URL?.startsWith('https://') ?? false,
    login: { maxAttempts: e.LOGIN_MAX_ATTEMPTS, windowMs: e.LOGIN_WINDOW_MS },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    seedDemo: e.SEED_DEMO,
    secretsKey: e.SECRETS_KEY,
    twilio:
      e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN
        ? {
            accountSid: e.TWILIO_ACCOUNT_SID,
            authToken: e.TWILIO_AUTH_TOKEN,
            apiBaseUrl: e.TWILIO_API_BASE_URL?.replace(/\/$/, ''),
          }
        : undefined,
    outboundAllowedHosts: e.OUTBOUND_ALLOWED_HOSTS,
  };
}

/** Markdown table of every variable, its default and meaning (kept in the README). */
export function configTableMarkdown(): string {
  const rows = Object.entries(ENV_SCHEMA).map(([name, { schema, description }]) => {
    const parsed = (schema as z.ZodType).safeParse(undefined);
    const dflt = parsed.success && parsed.data !== undefined ? `\`${String(parsed.data)}\`` : '—';
    return `| \`${name}\` | ${dflt} | ${description} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
