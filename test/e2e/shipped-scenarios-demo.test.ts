import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedScenarioNames } from '@switchboard/sandbox';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCallCommand } from '../../src/cli/call-command.js';
import { type Config, loadConfig } from '../../src/config/index.js';
import { DEMO_TENANTS, seedDemo } from '../../src/control/seed-demo.js';
import { tables } from '../../src/db/index.js';
import { createOutboundGuard, type OutboundGuard } from '../../src/lib/ssrf.js';
import { type Platform, startPlatform } from '../../src/platform/platform.js';
import { configWithSandbox } from '../../src/platform/sandbox-mode.js';

/**
 * A new user's path: the seeded demo, and every shipped scenario placed through `switchboard call`
 * (the CLI's code against the running server's HTTP API), not through a stand-in agent.
 */
describe('every shipped scenario against the seeded demo through switchboard call', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'h-fidelity-demo-'));
  let config: Config;
  let platform: Platform;
  let guard: OutboundGuard;

  beforeAll(async () => {
    // The demo is seeded here rather than at start-up, so no background demo call shares the
    // sandbox's n8n paths with the scenarios.
    config = loadConfig({
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      PORT: '0',
      SANDBOX: 'on',
      SANDBOX_PORT: '0',
      SANDBOX_PACE: 'fast',
      SEED_DEMO: 'false',
    });
    platform = await startPlatform(config, pino({ level: 'silent' }));
    const sandbox = platform.sandbox!;
    guard = createOutboundGuard({ allowedHosts: configWithSandbox(config, sandbox).outboundAllowedHosts });
    expect(await seedDemo(platform.deps, { n8nUrl: sandbox.n8n.url, outbound: guard })).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await guard?.close();
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(shippedScenarioNames())(
    '%s exits 0',
    async (name) => {
      const lines: string[] = [];
      const code = await runCallCommand(
        config,
        {
          to: DEMO_TENANTS[0]!.e164,
          scenario: name,
          url: platform.url,
          email: 'admin@switchboard.local',
          password: 'demo-admin-password',
          speed: '2',
        },
        (line) => lines.push(line),
      );
      expect({ name, code, lines }).toMatchObject({ name, code: 0 });
      if (name === 'book-appointment') {
        const callId = /^call (call_\S+):/m.exec(lines.join('\n'))?.[1];
        const [row] = await platform.deps.db
          .select({ outcome: tables.calls.outcome })
          .from(tables.calls)
          .where(eq(tables.calls.id, callId ?? ''));
        expect(row?.outcome).toBe('appointment_booked');
      }
    },
    150_000,
  );
});
