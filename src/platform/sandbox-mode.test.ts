import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { SANDBOX_PACES, type Sandbox } from '@switchboard/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.js';
import { createOutboundGuard, findOutboundBlocked, type OutboundGuard } from '../lib/ssrf.js';
import {
  configWithSandbox,
  FETCH_BAD_PORTS,
  sandboxPortLines,
  startPlatformSandbox,
} from './sandbox-mode.js';

let sandbox: Sandbox;
let guard: OutboundGuard;
let api: Server;
let apiPort: number;

beforeAll(async () => {
  const config = loadConfig({ LOG_LEVEL: 'silent', SANDBOX_PORT: '0' });
  sandbox = await startPlatformSandbox(config);
  guard = createOutboundGuard({ allowedHosts: configWithSandbox(config, sandbox).outboundAllowedHosts });
  // Stands in for the API itself (or any other loopback service) on a port the sandbox does not own.
  api = createServer((_req, res) => res.end('internal'));
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiPort = (api.address() as AddressInfo).port;
});
afterAll(async () => {
  await guard?.close();
  await sandbox?.close();
  await new Promise((resolve) => api?.close(resolve));
});

describe('outbound allowance in sandbox mode', () => {
  it('reaches the emulators', async () => {
    for (const url of [sandbox.n8n.url, sandbox.twilio.url, sandbox.openai.url, sandbox.rime.url]) {
      expect(await guard.check(url)).toMatchObject({ ok: true });
    }
  });

  it('does not open the rest of loopback: PostgreSQL and the API stay out of reach "as n8n"', async () => {
    expect(await guard.check('http://127.0.0.1:5432/')).toMatchObject({ ok: false, reason: 'blocked' });
    expect(await guard.check(`http://127.0.0.1:${apiPort}/`)).toMatchObject({ ok: false, reason: 'blocked' });
    const refused = await guard.fetch(`http://127.0.0.1:${apiPort}/`).catch((err: unknown) => err);
    expect(findOutboundBlocked(refused)?.range).toBe('loopback');
  });
});

describe('sandbox pace', () => {
  it('runs at a human pace by default (150 words a minute, typical latencies) and fast when asked', async () => {
    expect(loadConfig({}).sandbox.pace).toBe('human');
    expect(sandbox.pace).toEqual(SANDBOX_PACES.human);
    // The agent's speech: ten words take about four seconds, as a person says them.
    sandbox.rime.setFaults('pace-key');
    const res = await fetch(`${sandbox.rime.url}/v1/rime-tts`, {
      method: 'POST',
      headers: { authorization: 'Bearer pace-key', accept: 'audio/pcm', 'content-type': 'application/json' },
      body: JSON.stringify({
        speaker: 'cove',
        modelId: 'mistv2',
        samplingRate: 8000,
        text: 'one two three four five six seven eight nine ten',
      }),
    });
    const seconds = (await res.arrayBuffer()).byteLength / 2 / 8000;
    expect(seconds).toBeGreaterThan(3.5);
    expect(seconds).toBeLessThan(4.5);
    expect(loadConfig({ SANDBOX_PACE: 'fast' }).sandbox.pace).toBe('fast');
  });
});

describe('sandbox ports', () => {
  it('refuses a SANDBOX_PORT that puts an emulator on a port fetch refuses, naming the port and the setting', async () => {
    const error = await startPlatformSandbox(loadConfig({ SANDBOX_PORT: '4040' })).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'Invalid configuration: SANDBOX_PORT = 4040 puts the n8n emulator on port 4045 (SANDBOX_PORT + 5), a port fetch refuses to call; choose another SANDBOX_PORT',
    );
    // The same list undici's fetch applies.
    const undici = createRequire(import.meta.url)('undici/lib/web/fetch/constants.js') as {
      badPorts: string[];
    };
    expect([...FETCH_BAD_PORTS].map(String)).toEqual(undici.badPorts);
  });

  it('refuses a SANDBOX_PORT whose range is taken, naming the port and the setting', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const error = await startPlatformSandbox(loadConfig({ SANDBOX_PORT: String(port - 2) })).catch(
        (err: unknown) => err,
      );
      expect((error as Error).message).toBe(
        `Invalid configuration: SANDBOX_PORT = ${port - 2} puts the Deepgram emulator on port ${port} (SANDBOX_PORT + 2), which is already in use; choose another SANDBOX_PORT (or 0 for any free ports)`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('prints every emulator with its URL', () => {
    const lines = sandboxPortLines(sandbox);
    expect(lines).toHaveLength(5);
    expect(lines.join('\n')).toContain(sandbox.n8n.url);
    expect(lines[1]).toMatch(/Deepgram\s+http:\/\/127\.0\.0\.1:\d+/);
  });
});
