import type { Config } from '../config/index.js';
import { SANDBOX_PACES, type Sandbox, startSandbox } from '../sandbox/index.js';

/** Starts the five emulators on consecutive ports after `firstPort` (or any free ports for 0). */
export function startPlatformSandbox(config: Config): Promise<Sandbox> {
  const port = (offset: number) => (config.sandbox.firstPort === 0 ? 0 : config.sandbox.firstPort + offset);
  return startSandbox({
    host: '127.0.0.1',
    ports: { twilio: port(1), deepgram: port(2), openai: port(3), rime: port(4), n8n: port(5) },
    pace: SANDBOX_PACES[config.sandbox.pace],
  });
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
