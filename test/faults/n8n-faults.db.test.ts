import { loadScenario, type N8nWorkflowScriptInput, Scenario } from '@switchboard/sandbox';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../src/db/index.js';
import {
  type callRecord,
  type PlacedCall,
  placeScenarioCall,
  startVoiceWorld,
  type VoiceWorld,
} from '../e2e/support/voice-world.js';
import { call } from '../support/app.js';
import { expectNothingLost } from './conversation.js';

// The booking tool's n8n workflow misbehaves at the HTTP level (test/e2e/call-faults.db.test.ts
// has the workflow that never answers): the gateway records each attempt with its failure class,
// retries only where the tool's policy allows, and the LLM hears an error it can apologise with.
const WORKFLOW = 'book-appointment';
const BOOKED = {
  otherwise: {
    type: 'json',
    body: { status: 'booked', day: 'Tuesday, May 14', time: '10:30 am', confirmation: 'AB12' },
  },
} as const satisfies N8nWorkflowScriptInput;
let w: VoiceWorld;

beforeAll(async () => {
  w = await startVoiceWorld({ toolScenarios: ['book-appointment'] });
}, 180_000);
afterAll(async () => {
  await w?.close();
});

/** The booking call, with the caller hearing the agent's apology out instead of a confirmation. */
async function bookingThatFails(): Promise<Scenario> {
  const base = await loadScenario('book-appointment');
  return Scenario.parse({
    ...base,
    caller: {
      ...base.caller,
      steps: [
        { type: 'waitFor', agentSaid: 'how can i help', timeoutMs: 15_000 },
        { type: 'say', text: "I'd like to book a cleaning appointment next Tuesday morning." },
        { type: 'waitFor', agentSaid: 'offer a callback', timeoutMs: 30_000 },
        { type: 'say', text: 'OK, thanks. Bye!' },
        { type: 'waitFor', agentSaid: 'goodbye', timeoutMs: 15_000 },
        { type: 'hangup' },
      ],
    },
  });
}

/** Places the booking call with the workflow scripted as `script`. */
async function bookWith(script: N8nWorkflowScriptInput, scenario: Scenario | string): Promise<PlacedCall> {
  w.sandbox.n8n.setWorkflowScript(w.workflows[WORKFLOW]!, script);
  w.sandbox.n8n.reset();
  return placeScenarioCall(w, scenario);
}

/** The call's one booking execution and its attempts, in order. */
async function bookingExecution(placed: PlacedCall) {
  const record = await expectNothingLost(w, placed);
  expect(record.toolExecutions.map((e) => e.toolName)).toEqual(['book_appointment']);
  const execution = record.toolExecutions[0]!;
  const attempts = record.attempts
    .filter((a) => a.executionId === execution.id)
    .sort((a, b) => a.attempt - b.attempt);
  return { record, execution, attempts };
}

/** What the agent said, as stored. */
const agentSaid = (record: Awaited<ReturnType<typeof callRecord>>) =>
  record.utterances.filter((u) => u.speaker === 'agent').map((u) => u.text);

/** The next call books as usual once the workflow answers again. */
async function expectNextBookingServed() {
  const next = await bookWith(BOOKED, 'book-appointment');
  expect(next.caller.failure, JSON.stringify(next.caller.transcript)).toBeUndefined();
  expect(next.row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
  const { execution, attempts } = await bookingExecution(next);
  expect(execution.status).toBe('succeeded');
  expect(attempts.map((a) => [a.outcome, a.statusCode])).toEqual([['succeeded', 200]]);
}

describe('n8n faults mid-tool-call: every attempt recorded, the caller hears an apology, the next call served', () => {
  it('connection reset, tool not idempotent: one attempt (the booking may have run), failed as connection_reset', async () => {
    // n8n takes the request, then the connection goes before any answer.
    const placed = await bookWith({ otherwise: { type: 'drop', delayMs: 300 } }, await bookingThatFails());
    expect(placed.caller.failure, JSON.stringify(placed.caller.transcript)).toBeUndefined();
    expect(placed.row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    const { record, execution, attempts } = await bookingExecution(placed);
    expect(execution).toMatchObject({
      status: 'failed',
      error: { code: 'connection_reset', retryable: true },
    });
    expect(attempts.map((a) => [a.attempt, a.outcome, a.errorClass, a.statusCode])).toEqual([
      [1, 'failed', 'connection_reset', null],
    ]);
    expect(w.sandbox.n8n.webhookCalls({ path: WORKFLOW })).toHaveLength(1);
    expect(agentSaid(record), JSON.stringify(record.utterances)).toContain(
      'Sorry, I could not book that appointment: The system behind book_appointment is not responding. Apologise to the caller and offer a callback.',
    );
    await expectNextBookingServed();
  });

  it('invalid JSON in a 200 answer: one attempt, failed as invalid_json and not retried', async () => {
    const placed = await bookWith({ otherwise: { type: 'invalidJson' } }, await bookingThatFails());
    expect(placed.caller.failure, JSON.stringify(placed.caller.transcript)).toBeUndefined();
    expect(placed.row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    const { record, execution, attempts } = await bookingExecution(placed);
    expect(execution).toMatchObject({ status: 'failed', error: { code: 'invalid_json', retryable: false } });
    expect(attempts.map((a) => [a.attempt, a.outcome, a.errorClass, a.statusCode])).toEqual([
      [1, 'failed', 'invalid_json', 200],
    ]);
    expect(w.sandbox.n8n.webhookCalls({ path: WORKFLOW })).toHaveLength(1);
    expect(agentSaid(record), JSON.stringify(record.utterances)).toContain(
      'Sorry, I could not book that appointment: The system behind book_appointment gave an answer that could not be read. Do not retry. Apologise to the caller and offer a callback.',
    );
    await expectNextBookingServed();
  });

  // Last: it leaves the tool idempotent.
  it('connection reset, idempotent tool: retried with the same idempotency key, and the booking goes through', async () => {
    // The tool as an operator marks it safe to repeat, in a newly published version.
    const admin = w.world.as.admin;
    const t = `/api/tenants/${w.tenantId}`;
    const [tool] = await w.backend.owner
      .select({ id: tables.tools.id })
      .from(tables.tools)
      .where(eq(tables.tools.tenantId, w.tenantId));
    const patched = await call(w.app, admin, 'PATCH', `${t}/tools/${tool!.id}`, { idempotent: true });
    expect(patched.statusCode, patched.body).toBe(200);
    const published = await call(w.app, admin, 'POST', `${t}/agents/${w.agentId}/versions`, {
      note: 'idempotent',
    });
    expect(published.statusCode, published.body).toBeLessThan(300);

    const placed = await bookWith({ first: [{ respond: { type: 'drop' } }], ...BOOKED }, 'book-appointment');
    expect(placed.caller.failure, JSON.stringify(placed.caller.transcript)).toBeUndefined();
    expect(placed.row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    const { record, execution, attempts } = await bookingExecution(placed);
    expect(execution.status).toBe('succeeded');
    expect(attempts.map((a) => [a.attempt, a.outcome, a.errorClass, a.statusCode])).toEqual([
      [1, 'failed', 'connection_reset', null],
      [2, 'succeeded', null, 200],
    ]);
    const keys = w.sandbox.n8n.webhookCalls({ path: WORKFLOW }).map((c) => c.headers['idempotency-key']);
    expect(keys).toEqual([execution.idempotencyKey, execution.idempotencyKey]);
    expect(agentSaid(record).some((text) => text.startsWith("You're booked."))).toBe(true);
    await expectNextBookingServed();
  });
});
