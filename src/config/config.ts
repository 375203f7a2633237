import ipaddr from 'ipaddr.js';
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
  PROCESSES: {
    schema: z.coerce.number().int().min(1).max(64).default(1),
    description:
      'Server processes on this machine (node:cluster, one port): each runs its own calls, so calls use every core. Above 1 it needs DATABASE_URL, REDIS_URL, a fixed PORT and the sandbox off (real providers, or SANDBOX_PROVIDER_KEYS with external emulators).',
  },
  PUBLIC_URL: {
    schema: z.url().optional(),
    description:
      'Public base URL as Twilio sees it (signature checks, TwiML URLs). Default: http://HOST:PORT.',
  },
  TRUST_PROXY: {
    schema: z
      .string()
      .optional()
      .superRefine((v, ctx) => {
        if (v !== undefined && parseTrustProxy(v) === null)
          ctx.addIssue({ code: 'custom', message: 'must be a hop count or comma-separated IPs/CIDRs' });
      }),
    description:
      'Reverse proxies whose X-Forwarded-For is believed: a hop count (e.g. 1) or comma-separated IPs/CIDRs. Unset: none; the client is the socket address.',
  },
  DATABASE_URL: {
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    description:
      'PostgreSQL connection URL. Unset: embedded PGlite in DATA_DIR. Use a non-superuser login role without BYPASSRLS (see Database roles).',
  },
  DATABASE_POOL_SIZE: {
    schema: z.coerce.number().int().min(1).max(200).default(10),
    description:
      "PostgreSQL connections per pool (each process has two: tenant work and the session-scoped tenant reads). A call's events, turns and tool attempts queue for a connection, so size it to the calls a process runs.",
  },
  DATABASE_MIGRATION_URL: {
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    description: "PostgreSQL URL of the tables' owner, used only to migrate. Default: DATABASE_URL.",
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
  SANDBOX: {
    schema: z.enum(['auto', 'on', 'off']).default('auto'),
    description:
      'Run the offline provider emulators in-process and place simulated calls. auto: on when no Deepgram, OpenAI or Rime key is set.',
  },
  SANDBOX_PORT: {
    schema: z.coerce.number().int().min(0).max(65530).default(3100),
    description:
      'First port of the sandbox emulators (Twilio, Deepgram, OpenAI, Rime, n8n on the next five); 0 = any free ports.',
  },
  SANDBOX_PACE: {
    schema: z.enum(['human', 'fast']).default('human'),
    description:
      'Sandbox calls at a human pace (150 words a minute, typical provider latencies) or fast (20 ms a character, no added latency: the test suite).',
  },
  VOICE_TRANSPORT: {
    schema: z.enum(['media_streams', 'livekit']).default('media_streams'),
    description:
      'How answered calls reach the call engine: Twilio Media Streams to this server, or LiveKit SIP.',
  },
  STREAM_TOKEN_TTL_MS: {
    schema: durationMs.default(120_000),
    description: 'How long the signed token in the TwiML lets a Media Streams socket start its call.',
  },
  DEEPGRAM_API_KEY: {
    schema: z.string().min(1).optional(),
    description: 'Deepgram API key (speech-to-text).',
  },
  DEEPGRAM_URL: {
    schema: z
      .string()
      .regex(/^wss?:\/\//)
      .default('wss://api.deepgram.com'),
    description: 'Deepgram streaming base URL (the sandbox emulator in offline runs).',
  },
  OPENAI_API_KEY: { schema: z.string().min(1).optional(), description: 'OpenAI API key (the LLM).' },
  OPENAI_BASE_URL: {
    schema: z.url().default('https://api.openai.com/v1'),
    description: 'OpenAI API base URL, `/v1` included.',
  },
  RIME_API_KEY: { schema: z.string().min(1).optional(), description: 'Rime API key (text-to-speech).' },
  RIME_URL: { schema: z.url().default('https://users.rime.ai'), description: 'Rime HTTP API base URL.' },
  RIME_WS_URL: {
    schema: z
      .string()
      .regex(/^wss?:\/\//)
      .default('wss://users-ws.rime.ai'),
    description: 'Rime WebSocket base URL (`/ws3`).',
  },
  RIME_TRANSPORT: {
    schema: z.enum(['http', 'ws3']).default('http'),
    description: 'Rime streaming: chunked HTTP per sentence, or one /ws3 socket per reply.',
  },
  SANDBOX_PROVIDER_KEYS: {
    schema: boolean.default(false),
    description:
      'Offline sandbox: every provider is called with the key `test-<CallSid>` the emulators route by.',
  },
  WORKER_MAX_CALLS: {
    schema: z.coerce.number().int().positive().default(20),
    description: 'Calls this process runs at once; more are answered with a polite busy message.',
  },
  CALL_HEARTBEAT_MS: {
    schema: durationMs.default(10_000),
    description: 'How often a running call proves its worker alive.',
  },
  CALL_STALE_MS: {
    schema: durationMs.default(30_000),
    description: 'A call whose heartbeat is older than this is marked failed by the reaper.',
  },
  DRAIN_TIMEOUT_MS: {
    schema: durationMs.default(60_000),
    description: 'On shutdown, how long running calls may finish before they are ended politely.',
  },
  PRICE_TABLE: {
    schema: z
      .string()
      .transform((v, ctx) => {
        try {
          return z.record(z.string(), z.number().nonnegative()).parse(JSON.parse(v));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object of USD prices per unit' });
          return z.NEVER;
        }
      })
      .optional(),
    description:
      'Provider prices over the defaults, JSON: {"openai:output_tokens": 1.6e-6, "openai:gpt-4.1:input_tokens": 2e-6, …}.',
  },
  RECORDINGS_DIR: {
    schema: z.string().min(1).optional(),
    description: 'Directory for call recordings. Default: DATA_DIR/recordings.',
  },
  RECORDINGS_S3_BUCKET: {
    schema: z.string().min(1).optional(),
    description: 'Store recordings in this S3-compatible bucket instead of a directory.',
  },
  RECORDINGS_S3_ENDPOINT: {
    schema: z.url().optional(),
    description: 'S3-compatible endpoint (MinIO, R2, …).',
  },
  RECORDINGS_S3_REGION: { schema: z.string().min(1).default('us-east-1'), description: 'S3 region.' },
  RECORDINGS_S3_ACCESS_KEY_ID: { schema: z.string().min(1).optional(), description: 'S3 access key id.' },
  RECORDINGS_S3_SECRET_ACCESS_KEY: { schema: z.string().min(1).optional(), description: 'S3 secret key.' },
  LIVEKIT_URL: { schema: z.url().optional(), description: 'LiveKit server URL (LiveKit transport).' },
  LIVEKIT_API_KEY: { schema: z.string().min(1).optional(), description: 'LiveKit API key.' },
  LIVEKIT_API_SECRET: { schema: z.string().min(1).optional(), description: 'LiveKit API secret.' },
  LIVEKIT_SIP_URI: {
    schema: z
      .string()
      .regex(/^sips?:/)
      .optional(),
    description: 'LiveKit SIP URI calls are dialled to, e.g. sip:xyz.sip.livekit.cloud;transport=tcp.',
  },
  LIVEKIT_SIP_USERNAME: {
    schema: z.string().min(1).optional(),
    description: 'SIP digest user for the trunk.',
  },
  LIVEKIT_SIP_PASSWORD: { schema: z.string().min(1).optional(), description: 'SIP digest password.' },
  LIVEKIT_AGENT_NAME: {
    schema: z.string().min(1).default('switchboard-voice'),
    description: 'Agent name the LiveKit dispatch rule dispatches explicitly.',
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

export type TrustProxy = false | number | string[];

/** `2` → trust two hops; `10.0.0.0/8, 192.168.1.5` → trust those addresses; anything else → null. */
export function parseTrustProxy(value: string): TrustProxy | null {
  const text = value.trim();
  if (/^\d{1,2}$/.test(text)) return Number(text) === 0 ? false : Number(text);
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  for (const entry of entries) {
    try {
      if (entry.includes('/')) ipaddr.parseCIDR(entry);
      else ipaddr.parse(entry);
    } catch {
      return null;
    }
  }
  return entries;
}

type EnvSchema = typeof ENV_SCHEMA;
type RawEnv = { [K in keyof EnvSchema]: z.output<EnvSchema[K]['schema']> };

export interface Config {
  host: string;
  port: number;
  /** Server processes on this machine (node:cluster); 1 = this process serves alone. */
  processes: number;
  publicUrl: string | undefined;
  /** Which hops may set X-Forwarded-For: false (none), a hop count, or addresses/CIDRs. */
  trustProxy: TrustProxy;
  database:
    | { kind: 'pglite'; dataDir: string }
    | { kind: 'postgres'; url: string; migrationUrl: string; maxConnections: number };
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
  /** The runtime plane: call engine providers, worker, recordings, LiveKit. */
  voice: VoiceConfig;
  /** Offline emulators instead of real providers; `firstPort` 0 means any free ports. */
  sandbox: { enabled: boolean; firstPort: number; pace: 'human' | 'fast' };
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
  if (e.DATABASE_MIGRATION_URL && !e.DATABASE_URL) {
    throw new ConfigError(
      'DATABASE_MIGRATION_URL',
      'needs DATABASE_URL (the embedded database has one user)',
    );
  }
  const sandboxEnabled =
    e.SANDBOX === 'on' ||
    (e.SANDBOX === 'auto' && !e.DEEPGRAM_API_KEY && !e.OPENAI_API_KEY && !e.RIME_API_KEY);
  if (!sandboxEnabled && !e.SANDBOX_PROVIDER_KEYS) {
    // Real providers: a call must not be the first to find out a key is missing.
    for (const name of ['DEEPGRAM_API_KEY', 'OPENAI_API_KEY', 'RIME_API_KEY'] as const) {
      if (!e[name])
        throw new ConfigError(name, 'must be set when the sandbox is off (every provider needs a key)');
    }
  }
  if (e.PROCESSES > 1) checkProcesses(e, sandboxEnabled);
  return {
    host: e.HOST,
    port: e.PORT,
    processes: e.PROCESSES,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    trustProxy: e.TRUST_PROXY === undefined ? false : (parseTrustProxy(e.TRUST_PROXY) ?? false),
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          migrationUrl: e.DATABASE_MIGRATION_URL ?? e.DATABASE_URL,
          maxConnections: e.DATABASE_POOL_SIZE,
        }
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
    voice: voiceConfig(e),
    sandbox: {
      enabled: sandboxEnabled,
      firstPort: e.SANDBOX_PORT,
      pace: e.SANDBOX_PACE,
    },
  };
}

/**
 * Several processes share the port and nothing else: the system of record and the ephemeral state
 * must be servers (PGlite and the in-memory store live in one process), and the sandbox's emulators
 * keep per-process state a call on another process could not see.
 */
function checkProcesses(e: RawEnv, sandboxEnabled: boolean): void {
  const needs = (variable: string, problem: string) => {
    throw new ConfigError(variable, problem);
  };
  if (!e.DATABASE_URL)
    needs('PROCESSES', 'above 1 needs DATABASE_URL (the embedded database is one process)');
  if (!e.REDIS_URL) needs('PROCESSES', 'above 1 needs REDIS_URL (the in-memory store is one process)');
  if (e.PORT === 0) needs('PROCESSES', 'above 1 needs a fixed PORT (the processes share it)');
  if (sandboxEnabled)
    needs(
      'PROCESSES',
      'above 1 needs SANDBOX=off: the in-process emulators would differ per process (point the provider URLs at external emulators with SANDBOX_PROVIDER_KEYS=true, or use real keys)',
    );
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

/** The runtime plane's settings: telephony, providers, the call worker, recordings, LiveKit. */
export interface VoiceConfig {
  /** Validates X-Twilio-Signature on the voice webhooks; unset, every Twilio webhook is refused. */
  twilioAuthToken: string | undefined;
  transport: 'media_streams' | 'livekit';
  streamTokenTtlMs: number;
  providers: {
    deepgram: { apiKey: string | undefined; url: string };
    openai: { apiKey: string | undefined; baseUrl: string };
    rime: { apiKey: string | undefined; url: string; wsUrl: string; transport: 'http' | 'ws3' };
    sandboxKeys: boolean;
  };
  worker: { maxCalls: number; heartbeatMs: number; staleAfterMs: number; drainTimeoutMs: number };
  prices: Record<string, number> | undefined;
  recordings:
    | { kind: 'filesystem'; dir: string }
    | {
        kind: 's3';
        bucket: string;
        endpoint: string | undefined;
        region: string;
        accessKeyId: string;
        secretAccessKey: string;
      };
  livekit: {
    url: string | undefined;
    apiKey: string | undefined;
    apiSecret: string | undefined;
    sipUri: string | undefined;
    sipUsername: string | undefined;
    sipPassword: string | undefined;
    agentName: string;
  };
}

function recordingsConfig(e: RawEnv): VoiceConfig['recordings'] {
  if (!e.RECORDINGS_S3_BUCKET) {
    return { kind: 'filesystem', dir: e.RECORDINGS_DIR ?? `${e.DATA_DIR}/recordings` };
  }
  const accessKeyId = e.RECORDINGS_S3_ACCESS_KEY_ID;
  const secretAccessKey = e.RECORDINGS_S3_SECRET_ACCESS_KEY;
  if (!accessKeyId)
    throw new ConfigError('RECORDINGS_S3_ACCESS_KEY_ID', 'must be set with RECORDINGS_S3_BUCKET');
  if (!secretAccessKey) {
    throw new ConfigError('RECORDINGS_S3_SECRET_ACCESS_KEY', 'must be set with RECORDINGS_S3_BUCKET');
  }
  return {
    kind: 's3',
    bucket: e.RECORDINGS_S3_BUCKET,
    endpoint: e.RECORDINGS_S3_ENDPOINT,
    region: e.RECORDINGS_S3_REGION,
    accessKeyId,
    secretAccessKey,
  };
}

function voiceConfig(e: RawEnv): VoiceConfig {
  const trim = (url: string) => url.replace(/\/$/, '');
  return {
    twilioAuthToken: e.TWILIO_AUTH_TOKEN,
    transport: e.VOICE_TRANSPORT,
    streamTokenTtlMs: e.STREAM_TOKEN_TTL_MS,
    providers: {
      deepgram: { apiKey: e.DEEPGRAM_API_KEY, url: trim(e.DEEPGRAM_URL) },
      openai: { apiKey: e.OPENAI_API_KEY, baseUrl: trim(e.OPENAI_BASE_URL) },
      rime: {
        apiKey: e.RIME_API_KEY,
        url: trim(e.RIME_URL),
        wsUrl: trim(e.RIME_WS_URL),
        transport: e.RIME_TRANSPORT,
      },
      sandboxKeys: e.SANDBOX_PROVIDER_KEYS,
    },
    worker: {
      maxCalls: e.WORKER_MAX_CALLS,
      heartbeatMs: e.CALL_HEARTBEAT_MS,
      staleAfterMs: e.CALL_STALE_MS,
      drainTimeoutMs: e.DRAIN_TIMEOUT_MS,
    },
    prices: e.PRICE_TABLE,
    recordings: recordingsConfig(e),
    livekit: {
      url: e.LIVEKIT_URL,
      apiKey: e.LIVEKIT_API_KEY,
      apiSecret: e.LIVEKIT_API_SECRET,
      sipUri: e.LIVEKIT_SIP_URI,
      sipUsername: e.LIVEKIT_SIP_USERNAME,
      sipPassword: e.LIVEKIT_SIP_PASSWORD,
      agentName: e.LIVEKIT_AGENT_NAME,
    },
  };
}
