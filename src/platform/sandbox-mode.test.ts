import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '@switchboard/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { createOutboundGuard, findOutboundBlocked, type OutboundGuard } from '../lib/ssrf.js';
import { configWithSandbox, startPlatformSandbox } from './sandbox-mode.js';

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
