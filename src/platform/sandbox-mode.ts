import { createServer } from 'node:net';
import { SANDBOX_PACES, type Sandbox, startSandbox } from '@switchboard/sandbox';
import { type Config, ConfigError } from '../config/index.js';

const EMULATORS = [
  ['twilio', 'Twilio'],
  ['deepgram', 'Deepgram'],
  ['openai', 'OpenAI'],
  ['rime', 'Rime'],
  ['n8n', 'n8n'],
] as const;
type EmulatorKey = (typeof EMULATORS)[number][0];

/**
 * Ports `fetch` refuses to connect to (the Fetch standard's "bad ports", as undici applies them):
 * an emulator there could never be called, e.g. n8n on 4045 when SANDBOX_PORT=4040.
 */
export const FETCH_BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/**
 * Starts the five emulators on consecutive ports after `firstPort` (or any free ports for 0). A port
 * `fetch` refuses, or one already taken, stops start-up with one line naming it and SANDBOX_PORT.
 */
export async function startPlatformSandbox(config: Config): Promise<Sandbox> {
  const first = config.sandbox.firstPort;
  const ports = Object.fromEntries(
    EMULATORS.map(([key], i) => [key, first === 0 ? 0 : first + i + 1]),
  ) as Record<EmulatorKey, number>;
  if (first !== 0) {
    for (const [key, name] of EMULATORS) {
      const port = ports[key];
      const where = `puts the ${name} emulator on port ${port} (SANDBOX_PORT + ${port - first})`;
      if (FETCH_BAD_PORTS.has(port)) {
        throw new ConfigError(
          'SANDBOX_PORT',
          `= ${first} ${where}, a port fetch refuses to call; choose another SANDBOX_PORT`,
        );
      }
      if (!(await portFree(port))) {
        throw new ConfigError(
          'SANDBOX_PORT',
          `= ${first} ${where}, which is already in use; choose another SANDBOX_PORT (or 0 for any free ports)`,
        );
      }
    }
  }
  return startSandbox({ host: '127.0.0.1', ports, pace: SANDBOX_PACES[config.sandbox.pace] });
}

/** Whether the port can be listened on at 127.0.0.1 now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** One line per emulator with its URL, printed at start-up. */
export function sandboxPortLines(sandbox: Sandbox): string[] {
  return EMULATORS.map(([key, name]) => `    ${name.padEnd(9)} ${sandbox[key].url}`);
}

/**
 * The configuration with every provider pointed at the sandbox: calls use the per-call key the
 * emulators route by, Twilio's credentials are the emulator's, and the emulators are allowed targets.
 */
export function configWithSandbox(config: Config, sandbox: Sandbox): Config {
  const twilio = {
    accountSid: sandbox.twilio.accountSid,
    authToken: sandbox.twilio.authToken,
    apiBaseUrl: sandbox.twilio.url,
  };
  return {
    ...config,
    twilio,
    // Exactly the emulators' own host:port pairs: not every port of loopback (the database, the API).
    outboundAllowedHosts: [...config.outboundAllowedHosts, ...emulatorHosts(sandbox)],
    voice: {
      ...config.voice,
      twilioAuthToken: twilio.authToken,
      providers: {
        deepgram: { apiKey: undefined, url: sandbox.deepgram.wsUrl },
        openai: { apiKey: undefined, baseUrl: `${sandbox.openai.url}/v1` },
        rime: {
          ...config.voice.providers.rime,
          apiKey: undefined,
          url: sandbox.rime.url,
          wsUrl: sandbox.rime.wsUrl,
        },
        sandboxKeys: true,
      },
    },
  };
}

/** `host:port` of each emulator, as outbound allow-list entries. */
export function emulatorHosts(sandbox: Sandbox): string[] {
  const urls = [
    sandbox.twilio.url,
    sandbox.deepgram.url,
    sandbox.openai.url,
    sandbox.rime.url,
    sandbox.n8n.url,
  ];
  return urls.map((url) => new URL(url).host);
}

/**
 * The settings that point a Switchboard at emulators running elsewhere (another process or machine)
 * instead of its own: the sandbox off, each provider reached at the emulator's URL with the key
 * `test-<CallSid>` the emulators route by, and loopback allowed for the n8n emulator.
 */
export function externalSandboxEnv(sandbox: Sandbox): Record<string, string> {
  return {
    SANDBOX: 'off',
    SANDBOX_PROVIDER_KEYS: 'true',
    TWILIO_ACCOUNT_SID: sandbox.twilio.accountSid,
    TWILIO_AUTH_TOKEN: sandbox.twilio.authToken,
    DEEPGRAM_URL: sandbox.deepgram.wsUrl,
    OPENAI_BASE_URL: `${sandbox.openai.url}/v1`,
    RIME_URL: sandbox.rime.url,
    RIME_WS_URL: sandbox.rime.wsUrl,
    OUTBOUND_ALLOWED_HOSTS: '127.0.0.1,localhost',
  };
}
