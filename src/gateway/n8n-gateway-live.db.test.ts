import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestBackend, type TestBackend } from '../../test/support/backend.js';
import {
  createActiveWorkflow,
  deleteWorkflow,
  type N8nNode,
  respondNode as respond,
} from '../../test/support/n8n-workflows.js';
import { N8nApiClient, normaliseBaseUrl } from '../n8n/index.js';
import { createGateway } from './gateway.js';
import { createTestTenant, executionRows, insertConnection, insertTool } from './gateway.test-support.js';
import { outcomeForModel } from './outcome-for-model.js';
import type { GatewayTool, ToolOutcome } from './types.js';

/**
 * The gateway's semantics on a real n8n (issue 15, points 1–5), with workflows this suite creates
 * through the public API (names start with `h-gateway`) and deletes afterwards. Opt-in: runs when
 * N8N_URL and N8N_API_KEY are set (`.ci/run` starts n8n with ../shared/tools/n8n-up.sh and sets them).
 */
const N8N_URL = process.env.N8N_URL;
const N8N_API_KEY = process.env.N8N_API_KEY;

const ARGS = { name: 'Ada Lovelace', date: '2026-12-01' };
const SLOT_SCHEMA = {
  type: 'object',
  properties: {
    booked: { type: 'boolean' },
    slot: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$' },
  },
  required: ['booked', 'slot'],
};

type Node = N8nNode;

const thrower = (message: string): Node => ({
  id: randomUUID(),
  name: 'Check calendar',
  type: 'n8n-nodes-base.code',
  typeVersion: 2,
  position: [400, 0],
  parameters: { jsCode: `throw new Error(${JSON.stringify(message)});` },
});
const wait = (seconds: number): Node => ({
  id: randomUUID(),
  name: 'Wait',
  type: 'n8n-nodes-base.wait',
  typeVersion: 1.1,
  position: [200, 0],
  parameters: { resume: 'timeInterval', amount: seconds, unit: 'seconds' },
  webhookId: randomUUID(),
});

describe.skipIf(!N8N_URL || !N8N_API_KEY)('gateway semantics on a real n8n (issue 15, points 1–5)', () => {
  let backend: TestBackend;
  let api: N8nApiClient;
  let tenantId: string;
  let connectionId: string;
  const created: string[] = [];
  const tag = randomBytes(3).toString('hex');

  /** Creates and activates `Webhook → …nodes`, returns its id and path. */
  async function workflow(kind: string, nodes: Node[]): Promise<{ id: string; path: string }> {
    const path = `h-gateway-${kind}-${tag}`;
    const id = await createActiveWorkflow(api, `h-gateway ${kind} ${tag}`, path, nodes);
    created.push(id);
    return { id, path };
  }

  const flows = {} as Record<
    'throws' | 'slowThrows' | 'booking' | 'slowBooking' | 'badOutput' | 'flatBody',
    { id: string; path: string }
  >;

  beforeAll(async () => {
    const base = normaliseBaseUrl(N8N_URL!);
    if (!base.ok) throw new Error(`N8N_URL ${base.error}`);
    backend = await openTestBackend();
    tenantId = await createTestTenant(backend.deps);
    api = new N8nApiClient({ baseUrl: base.value, apiKey: N8N_API_KEY!, fetch, timeoutMs: 15_000 });
    connectionId = await insertConnection(backend.deps, tenantId, {
      baseUrl: base.value,
      apiKey: N8N_API_KEY!,
    });
    flows.throws = await workflow('throws', [
      thrower('calendar backend unavailable'),
      respond('{ "ok": true }'),
    ]);
    flows.slowThrows = await workflow('slow-throws', [
      wait(2),
      thrower('calendar backend timed out'),
      respond('{ "ok": true }'),
    ]);
    flows.booking = await workflow('booking', [
      respond('{ "booked": true, "slot": $json.body.args.date + "T10:00", "name": $json.body.args.name }'),
    ]);
    flows.slowBooking = await workflow('slow-booking', [
      wait(21),
      respond('{ "booked": true, "slot": "2026-12-01T10:00" }'),
    ]);
    flows.badOutput = await workflow('bad-output', [respond('{ "booked": "yes", "slot": "tomorrow" }')]);
    // Written for a flat body: n8n receives `{ args, context }`, so this answers "undefinedT10:00".
    flows.flatBody = await workflow('flat-body', [
      respond('{ "booked": true, "slot": $json.body.patient_name + "T10:00" }'),
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const id of created) await deleteWorkflow(api, id);
    await backend?.close();
  });

  const tool = (
    flow: { id: string; path: string },
    extra: Partial<Omit<GatewayTool, 'id' | 'webhookPath' | 'connectionId'>> = {},
  ) =>
    insertTool(backend.deps, tenantId, {
      webhookPath: flow.path,
      workflowId: flow.id,
      connectionId,
      timeoutMs: 10_000,
      inputSchema: { type: 'object', properties: { name: { type: 'string' }, date: { type: 'string' } } },
      ...extra,
    });

  async function n8nRuns(workflowId: string, since: number): Promise<number> {
    const listed = await api.listExecutions({ workflowId, limit: 50 });
    if (!listed.ok) throw new Error(JSON.stringify(listed));
    return listed.value.filter((e) => Date.parse(String(e.startedAt)) >= since - 1_000).length;
  }

  it('1: a throwing and a slow workflow open only their own circuits; a healthy booking still runs', async () => {
    const gateway = createGateway({ limits: { breakerThreshold: 2 } });
    const throws = await tool(flows.throws, { retry: { maxAttempts: 3, backoffMs: 50 } });
    const slow = await tool(flows.slowThrows, { timeoutMs: 1_000 });
    const booking = await tool(flows.booking, { outputSchema: SLOT_SCHEMA });
    const run = (t: GatewayTool) => gateway.execute(backend.deps, { tenantId, tool: t, arguments: ARGS });

    for (let i = 0; i < 2; i++) {
      expect(await run(throws)).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: { code: 'server_error' },
      });
      expect(await run(slow)).toMatchObject({ status: 'timed_out', attempts: 1 });
    }
    expect(await run(throws)).toMatchObject({ status: 'circuit_open', attempts: 0 });
    expect(gateway.toolCircuit(slow.id).state).toBe('open');
    expect(await run(booking)).toMatchObject({ ok: true, attempts: 1, result: { booked: true } });
    const base = normaliseBaseUrl(N8N_URL!);
    expect(gateway.connectionCircuit(connectionId, base.ok ? base.value : '').state).toBe('closed');
  }, 60_000);

  it('2: a tool that is not idempotent is not retried after n8n answered 500: the workflow ran once', async () => {
    const gateway = createGateway();
    const slow = await tool(flows.slowThrows, {
      idempotent: false,
      retry: { maxAttempts: 3, backoffMs: 50 },
    });
    const since = Date.now();
    const outcome = await gateway.execute(backend.deps, { tenantId, tool: slow, arguments: ARGS });
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'server_error', httpStatus: 500 },
    });
    expect(await n8nRuns(flows.slowThrows.id, since)).toBe(1);
  }, 60_000);

  it("3: the workflow's own error message is carried into the execution", async () => {
    const gateway = createGateway();
    const outcome = await gateway.execute(backend.deps, {
      tenantId,
      tool: await tool(flows.throws),
      arguments: ARGS,
    });
    expect(outcome.ok).toBe(false);
    const rows = await executionRows(backend.deps, tenantId, outcome.executionId);
    expect(rows.error).toMatchObject({
      code: 'server_error',
      details: {
        detail: expect.stringContaining('calendar backend unavailable'),
        n8nAnswer: 'Error in workflow',
      },
    });
  }, 60_000);

  it('4: the budget follows the tool (a 25 s tool answered after 21 s succeeds); durations are rounded', async () => {
    const gateway = createGateway();
    const patient = await tool(flows.slowBooking, {
      timeoutMs: 25_000,
      retry: { maxAttempts: 1, backoffMs: 0 },
    });
    expect(await gateway.execute(backend.deps, { tenantId, tool: patient, arguments: ARGS })).toMatchObject({
      ok: true,
      result: { booked: true },
    });
    const hasty = await tool(flows.slowThrows, { timeoutMs: 700 });
    const outcome = await gateway.execute(backend.deps, { tenantId, tool: hasty, arguments: ARGS });
    expect(outcome).toMatchObject({
      status: 'timed_out',
      error: { details: { detail: 'no answer within 700 ms' } },
    });
  }, 60_000);

  it('5: a result breaking the output schema fails as output_invalid and the agent is told; {args, context} is what n8n gets', async () => {
    const gateway = createGateway();
    const run = async (flow: { id: string; path: string }): Promise<ToolOutcome> =>
      gateway.execute(backend.deps, {
        tenantId,
        tool: await tool(flow, { outputSchema: SLOT_SCHEMA }),
        arguments: ARGS,
      });

    const flat = await run(flows.flatBody);
    expect(flat).toMatchObject({ ok: false, status: 'failed', error: { code: 'output_invalid' } });
    expect(JSON.stringify(outcomeForModel(flat))).toContain('not in the expected form');
    expect(JSON.stringify(outcomeForModel(flat))).not.toContain('undefinedT10:00');
    expect(await run(flows.badOutput)).toMatchObject({ ok: false, error: { code: 'output_invalid' } });
    expect(await run(flows.booking)).toMatchObject({
      ok: true,
      result: { booked: true, slot: '2026-12-01T10:00', name: 'Ada Lovelace' },
    });
  }, 60_000);
});
