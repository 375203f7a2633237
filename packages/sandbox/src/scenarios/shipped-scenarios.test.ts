import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../sandbox.js';
import { startStreamServer } from '../twilio/stream-server.test-support.js';
import { loadScenario, shippedScenarioNames } from './load-scenario.js';
import { runScenarioAgent } from './scenario-agent.test-support.js';

const NUMBER = '+14155550100';

/**
 * Every shipped scenario, played end to end through the five emulators against a small stand-in
 * agent, all at once (the API keys keep them apart), four times faster than real time.
 */
describe('shipped scenarios through startSandbox()', () => {
  let sandbox: Sandbox;
  let app: Awaited<ReturnType<typeof startStreamServer>>;

  beforeAll(async () => {
    sandbox = await startSandbox();
    app = await startStreamServer({
      onSocket: (socket) =>
        runScenarioAgent(socket.ws, sandbox, {
          silenceMs: 4000,
          toolTimeoutMs: 1500,
        }),
      request: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(`<Response><Connect><Stream url="${app.url}"/></Connect></Response>`);
      },
    });
    sandbox.twilio.addNumber({ phoneNumber: NUMBER, voiceUrl: `${app.server.url}/voice` });
  });
  afterAll(async () => {
    await sandbox?.close();
    await app?.close();
  });

  it('starts five emulators on loopback ports', () => {
    const urls = [sandbox.twilio, sandbox.deepgram, sandbox.openai, sandbox.rime, sandbox.n8n].map(
      (e) => e.url,
    );
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(urls).size).toBe(5);
  });

  it('namespaces n8n workflows by key and replaces a key applied twice', async () => {
    const scenario = await loadScenario('book-appointment');
    const first = sandbox.applyScenario('k1', scenario);
    expect(first.webhooks).toEqual([
      expect.objectContaining({ tool: 'book_appointment', path: 'book-appointment', method: 'POST' }),
    ]);
    expect(first.webhooks[0]?.url).toBe(`${sandbox.n8n.url}/webhook/k1/book-appointment`);
    const again = sandbox.applyScenario('k1', scenario);
    const res = await fetch(again.webhooks[0]!.url, { method: 'POST', body: '{}' });
    expect(await res.json()).toMatchObject({ status: 'booked', confirmation: 'AB12' });
    sandbox.removeScenario('k1');
    expect(() => sandbox.applyScenario('bad key!', scenario)).toThrow(/sandbox key/);
  });

  it('plays every shipped scenario and meets its expectations', async () => {
    const results = await Promise.all(
      shippedScenarioNames().map(async (name) => {
        const scenario = await loadScenario(name);
        const run = await sandbox.runScenarioCall(scenario, { to: NUMBER, speed: 4 });
        return { name, run };
      }),
    );
    const outcomes = results.map(({ name, run }) => ({
      name,
      failure: run.caller.failure,
      problems: run.problems,
    }));
    expect(outcomes).toEqual(results.map(({ name }) => ({ name, failure: undefined, problems: [] })));
  }, 60_000);
});
