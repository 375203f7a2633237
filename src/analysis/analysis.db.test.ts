import { loadScenario, type Sandbox, type Scenario } from '@switchboard/sandbox';
import { asc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../test/support/app.js';
import type { TestBackend } from '../../test/support/backend.js';
import type { World } from '../../test/support/fixtures.js';
import {
  publishBookingAgent,
  type SandboxPlatform,
  startSandboxPlatform,
} from '../../test/support/sandbox-platform.js';
import { finalizeCall } from '../analytics/index.js';
import { tables } from '../db/index.js';
import { ToolSchemaCompiler } from '../lib/tool-json-schema.js';
import type { SandboxCalls } from '../platform/sandbox-calls.js';
import { DEMO_ANALYSIS } from './demo-analysis.js';
import { AnalysisWorker, type AnalysisWorkerOptions } from './worker.js';

/**
 * Post-call analysis end to end: real sandbox calls end, their analysis is queued, and a worker
 * asks the agent's LLM (the OpenAI emulator's structured output) for summary, fields and verdict,
 * stores them with their cost, and shows them in the call detail; a call without caller speech is
 * skipped without asking; a failing LLM is retried, then marked failed, leaving the call as it was.
 */
const NUMBER = '+15005550006';
const KEY = 'test-analysis-suite';

let platform: SandboxPlatform;
let backend: TestBackend;
let sandbox: Sandbox;
let app: FastifyInstance;
let world: World;
let sandboxCalls: SandboxCalls;
let providers: AnalysisWorkerOptions['providers'];
let tenantId: string;
let agentBase: string;

const silentCaller: Scenario = {
  name: 'silent-caller',
  caller: {
    from: '+15551234567',
    steps: [{ type: 'waitFor', agentSaid: 'how can i help', timeoutMs: 15000 }, { type: 'hangup' }],
  },
  llm: {
    rules: [
      { when: { firstTurn: true }, respond: { reply: 'Hi, this is Acme Dental. How can I help you today?' } },
    ],
  },
} as unknown as Scenario;

beforeAll(async () => {
  platform = await startSandboxPlatform();
  ({ backend, sandbox, app, world, sandboxCalls } = platform);
  providers = platform.config.voice.providers;
  tenantId = world.tenantA;
  const agentId = await publishBookingAgent(platform, NUMBER, {
    systemPrompt:
      'You are the receptionist of Acme Dental. Book appointments with the book_appointment tool.',
    // The shipped book-appointment scenario reports its outcome through set_outcome.
    outcomeLabels: ['appointment_booked'],
    analysis: DEMO_ANALYSIS,
  });
  agentBase = `/api/tenants/${tenantId}/agents/${agentId}`;
}, 180_000);

afterAll(() => platform?.close());

/** Places a call to its end and its analysis queued (no worker runs yet). */
async function placeCall(scenario: Scenario): Promise<string> {
  const result = await sandboxCalls.place({ to: NUMBER, scenario, speed: 4 });
  expect(result.problems).toEqual([]);
  expect(result.callId).not.toBeNull();
  // The runtime finalises the call just after its end is recorded; finalising is idempotent, so
  // doing it here waits for the queued row without racing the runtime's own run.
  await finalizeCall(backend.deps, { id: result.callId!, tenantId });
  return result.callId!;
}

/** Runs a worker until the call's analysis settles, then stops it. */
async function analyse(callId: string, options: Partial<AnalysisWorkerOptions> = {}) {
  const worker = new AnalysisWorker(backend.deps, { providers, apiKey: KEY, pollMs: 20, ...options }).start();
  try {
    return await worker.settled(tenantId, callId);
  } finally {
    await worker.stop();
  }
}

const kpiTotals = async () => {
  const res = await call(app, world.as.operator, 'GET', `/api/tenants/${tenantId}/kpis`);
  expect(res.statusCode).toBe(200);
  return res.json().totals as { analysedCalls: number; successfulCalls: number; successRate: number | null };
};

const costs = (callId: string) =>
  backend.owner
    .select({
      provider: tables.callCosts.provider,
      metric: tables.callCosts.metric,
      amountUsd: tables.callCosts.amountUsd,
    })
    .from(tables.callCosts)
    .where(eq(tables.callCosts.callId, callId))
    .orderBy(asc(tables.callCosts.id));

const callRow = async (callId: string) =>
  (await backend.owner.select().from(tables.calls).where(eq(tables.calls.id, callId)))[0];

const detail = async (callId: string) => {
  const res = await call(app, world.as.operator, 'GET', `/api/tenants/${tenantId}/calls/${callId}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('post-call analysis', () => {
  it('summarises a call, extracts the agent fields, judges it, costs it, and shows it', async () => {
    sandbox.openai.setScript(KEY, {});
    sandbox.openai.reset(KEY);
    const callId = await placeCall(await loadScenario('book-appointment'));
    const [queued] = await backend.owner
      .select()
      .from(tables.callAnalyses)
      .where(eq(tables.callAnalyses.callId, callId));
    expect(queued?.status).toBe('pending');
    const before = await costs(callId);
    const kpisBefore = await kpiTotals();

    const settled = await analyse(callId);
    expect(settled, settled.error).toMatchObject({ status: 'done', attempts: 1 });
    expect(sandbox.openai.requests(KEY)).toHaveLength(1);

    const { analysis, costs: detailCosts, metrics } = await detail(callId);
    expect(analysis.status).toBe('done');
    expect(analysis.summary).toEqual(expect.any(String));
    expect(analysis.summary.length).toBeGreaterThan(0);
    expect(typeof analysis.success).toBe('boolean');
    expect(analysis.successReason).toEqual(expect.any(String));
    const validate = new ToolSchemaCompiler().compile(DEMO_ANALYSIS.dataSchema!);
    if (!validate.ok) throw new Error(validate.error);
    expect(validate.value(analysis.data), JSON.stringify(validate.value.errors)).toBe(true);

    // The completion's tokens are new openai cost lines, apart from the conversation's; the call's
    // metrics carry the new total.
    const after = await costs(callId);
    const added = after.slice(before.length);
    expect(added.map((l) => `${l.provider}:${l.metric}`).sort()).toEqual([
      'openai:analysis_input_tokens',
      'openai:analysis_output_tokens',
    ]);
    expect(added.every((l) => Number(l.amountUsd) > 0)).toBe(true);
    expect(detailCosts.lines).toHaveLength(after.length);
    const total = after.reduce((sum, l) => sum + Math.round(Number(l.amountUsd) * 1e6), 0) / 1e6;
    expect(Number(metrics.costUsd)).toBeCloseTo(total, 6);

    // A replayed end queues nothing new: the analysis stays done, its cost is not added twice.
    await finalizeCall(backend.deps, { id: callId, tenantId });
    const [again] = await backend.owner
      .select()
      .from(tables.callAnalyses)
      .where(eq(tables.callAnalyses.callId, callId));
    expect(again).toMatchObject({ status: 'done', attempts: 1 });
    expect(await costs(callId)).toHaveLength(after.length);

    const csv = await call(app, world.as.operator, 'GET', `/api/tenants/${tenantId}/calls.csv`);
    const [header, ...rows] = csv.body.trimEnd().split('\r\n');
    expect(header?.endsWith(',summary,success')).toBe(true);
    const row = rows.find((r) => r.startsWith(`${callId},`));
    expect(row?.endsWith(`,${analysis.success}`)).toBe(true);

    // The verdict feeds the KPIs and narrows the call list.
    const kpisAfter = await kpiTotals();
    expect(kpisAfter.analysedCalls - kpisBefore.analysedCalls).toBe(1);
    expect(kpisAfter.successfulCalls - kpisBefore.successfulCalls).toBe(analysis.success ? 1 : 0);
    expect(kpisAfter.successRate).toBe(kpisAfter.successfulCalls / kpisAfter.analysedCalls);
    const listed = async (success: boolean) =>
      (await call(app, world.as.operator, 'GET', `/api/tenants/${tenantId}/calls?success=${success}`))
        .json()
        .items.map((c: { id: string }) => c.id);
    expect(await listed(analysis.success)).toContain(callId);
    expect(await listed(!analysis.success)).not.toContain(callId);
  }, 120_000);

  it('skips a call with no caller speech without asking the model', async () => {
    sandbox.openai.setScript(KEY, {});
    sandbox.openai.reset(KEY);
    const callId = await placeCall(silentCaller);
    const before = await costs(callId);
    const settled = await analyse(callId);
    expect(settled).toMatchObject({ status: 'skipped', attempts: 1 });
    expect(sandbox.openai.requests(KEY)).toHaveLength(0);
    expect(await costs(callId)).toEqual(before);
    expect((await detail(callId)).analysis).toEqual({
      status: 'skipped',
      summary: null,
      data: null,
      success: null,
      successReason: null,
    });
  }, 120_000);

  it('retries a failing LLM with backoff, then marks the analysis failed and leaves the call alone', async () => {
    sandbox.openai.setScript(KEY, { faults: { serverError: { status: 503 } } });
    sandbox.openai.reset(KEY);
    const callId = await placeCall(await loadScenario('book-appointment'));
    const callBefore = await callRow(callId);
    const costsBefore = await costs(callId);
    const settled = await analyse(callId, { backoffMs: 1 });
    expect(settled.status).toBe('failed');
    expect(settled.attempts).toBe(3);
    expect(sandbox.openai.requests(KEY)).toHaveLength(3);
    const [row] = await backend.owner
      .select()
      .from(tables.callAnalyses)
      .where(eq(tables.callAnalyses.callId, callId));
    expect(row).toMatchObject({ status: 'failed', attempts: 3, summary: null, success: null });
    expect(row?.error).toMatch(/503/);
    expect(await callRow(callId)).toEqual(callBefore);
    expect(await costs(callId)).toEqual(costsBefore);
    expect((await detail(callId)).analysis.status).toBe('failed');

    // A wrong base URL fails the same way: the request never reaches a model.
    const other = await placeCall(await loadScenario('book-appointment'));
    const unreachable = await analyse(other, {
      providers: { ...providers, openai: { ...providers.openai, baseUrl: 'http://127.0.0.1:9/v1' } },
      backoffMs: 1,
    });
    expect(unreachable).toMatchObject({ status: 'failed', attempts: 3 });
  }, 180_000);

  it('names the field of a bad analysis setting, and keeps the rest of the draft', async () => {
    const admin = world.as.admin;
    const bad = await call(app, admin, 'PATCH', agentBase, { draft: { analysis: { enabled: 'yes' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toMatch(/analysis.*enabled/);

    const notObject = await call(app, admin, 'PATCH', agentBase, {
      draft: { analysis: { dataSchema: { type: 'array', items: { type: 'string' } } } },
    });
    expect(notObject.statusCode, notObject.body).toBe(200);
    expect(notObject.json().draft.analysis.successRubric).toBe(DEMO_ANALYSIS.successRubric);
    let check = (await call(app, admin, 'GET', `${agentBase}/draft/check`)).json();
    expect(check.issues).toEqual([
      { field: 'analysis.dataSchema.type', message: expect.stringMatching(/object/) },
    ]);

    await call(app, admin, 'PATCH', agentBase, {
      draft: { analysis: { dataSchema: { type: 'object', properties: { a: { type: 'strin' } } } } },
    });
    check = (await call(app, admin, 'GET', `${agentBase}/draft/check`)).json();
    expect(check.publishable).toBe(false);
    expect(check.issues[0].field).toMatch(/^analysis\.dataSchema\.properties\.a\.type/);

    await call(app, admin, 'PATCH', agentBase, { draft: { analysis: DEMO_ANALYSIS } });
    check = (await call(app, admin, 'GET', `${agentBase}/draft/check`)).json();
    expect(check).toEqual({ publishable: true, issues: [] });
  });
});
