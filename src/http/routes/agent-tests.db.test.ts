import { describe, expect } from 'vitest';
import { call } from '../../../test/support/app.js';
import { appTest } from '../../../test/support/app-test.js';
import { tables } from '../../db/index.js';
import { newId } from '../../lib/ids.js';

const test = appTest();

const CASE = {
  name: 'books a cleaning',
  spec: {
    caller: { steps: [{ type: 'say', text: 'I would like an appointment.' }, { type: 'hangup' }] },
    llm: { rules: [{ when: { userSays: 'appointment' }, ifPrompt: 'book', respond: { reply: 'Booked.' } }] },
    tools: { mode: 'live' },
  },
  expect: {
    agentSaid: ['booked'],
    toolCalled: [{ name: 'book_appointment', args: { service: 'cleaning' } }],
  },
};

async function agentOf(app: Parameters<typeof call>[0], creds: Parameters<typeof call>[1], tenantId: string) {
  const res = await call(app, creds, 'POST', `/api/tenants/${tenantId}/agents`, {
    name: `a ${Math.random()}`,
  });
  expect(res.statusCode, res.body).toBe(201);
  return `/api/tenants/${tenantId}/agents/${res.json().id}/tests`;
}

describe('agent test cases API', () => {
  test('create, read, change (a new revision), list, history, delete', async ({ app, world }) => {
    const tests = await agentOf(app, world.as.operator, world.tenantA);
    const created = await call(app, world.as.operator, 'POST', `${tests}/cases`, CASE);
    expect(created.statusCode, created.body).toBe(201);
    const testCase = created.json();
    expect(testCase).toMatchObject({ name: CASE.name, revision: 1, spec: CASE.spec, expect: CASE.expect });

    const changed = await call(app, world.as.operator, 'PATCH', `${tests}/cases/${testCase.id}`, {
      name: 'books a filling',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ name: 'books a filling', revision: 2, spec: CASE.spec });

    const list = await call(app, world.as.admin, 'GET', `${tests}/cases`);
    expect(list.json().items.map((c: { id: string }) => c.id)).toEqual([testCase.id]);
    expect((await call(app, world.as.operator, 'GET', `${tests}/cases/${testCase.id}`)).json().revision).toBe(
      2,
    );

    expect((await call(app, world.as.operator, 'DELETE', `${tests}/cases/${testCase.id}`)).statusCode).toBe(
      204,
    );
    expect((await call(app, world.as.operator, 'GET', `${tests}/cases`)).json().items).toEqual([]);
    const gone = await call(app, world.as.operator, 'GET', `${tests}/cases/${testCase.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('AGENT_TEST_CASE_NOT_FOUND');

    const history = await call(app, world.as.operator, 'GET', `${tests}/cases/${testCase.id}/history`);
    expect(
      history
        .json()
        .items.map((r: { revision: number; name: string; deleted: boolean }) => [
          r.revision,
          r.name,
          r.deleted,
        ]),
    ).toEqual([
      [3, 'books a filling', true],
      [2, 'books a filling', false],
      [1, 'books a cleaning', false],
    ]);
  }, 180_000); // the first test also migrates the file's database

  test('refuses bad input naming the field, and writes nothing', async ({ app, world, backend }) => {
    const tests = await agentOf(app, world.as.operator, world.tenantA);
    const before = (await backend.owner.select().from(tables.agentTestCases)).length;
    const bad = [
      [{ ...CASE, spec: { caller: { steps: [{ type: 'sing' }] } } }, 'body/spec.caller.steps'],
      [
        {
          ...CASE,
          spec: { ...CASE.spec, llm: { rules: [{ when: {}, respond: { reply: 'x' }, ifPrompt: '(' }] } },
        },
        'body/spec.llm.rules[0].ifPrompt',
      ],
      [{ ...CASE, expect: { endReason: 3 } }, 'body/expect/endReason'],
      [{ ...CASE, name: '' }, 'body/name'],
      [{ ...CASE, extra: true }, 'body'],
    ] as const;
    for (const [body, field] of bad) {
      const res = await call(app, world.as.operator, 'POST', `${tests}/cases`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(
        res
          .json()
          .error.details.map((d: { field: string }) => d.field)
          .join(' '),
        JSON.stringify(body),
      ).toContain(field);
    }
    expect((await backend.owner.select().from(tables.agentTestCases)).length).toBe(before);

    const unknownAgent = await call(
      app,
      world.as.operator,
      'POST',
      `/api/tenants/${world.tenantA}/agents/${newId('agent')}/tests/cases`,
      CASE,
    );
    expect(unknownAgent.json().error.code).toBe('AGENT_NOT_FOUND');
  });

  test('internal roles on any tenant; a client viewer on none, not even its own', async ({ app, world }) => {
    for (const tenantId of [world.tenantA, world.tenantB]) {
      const tests = await agentOf(app, world.as.admin, tenantId);
      for (const creds of [world.as.admin, world.as.operator]) {
        expect((await call(app, creds, 'POST', `${tests}/cases`, CASE)).statusCode).toBe(201);
        expect((await call(app, creds, 'GET', `${tests}/cases`)).statusCode).toBe(200);
        expect((await call(app, creds, 'GET', `${tests}/runs`)).statusCode).toBe(200);
      }
      for (const creds of [world.as.viewerA, world.as.viewerB]) {
        for (const [method, url] of [
          ['GET', `${tests}/cases`],
          ['POST', `${tests}/cases`],
          ['GET', `${tests}/runs`],
          ['POST', `${tests}/runs`],
        ] as const) {
          const res = await call(app, creds, method, url, method === 'POST' ? CASE : undefined);
          expect(res.statusCode, `${method} ${url}`).toBe(403);
        }
      }
    }
  });

  test('a case from a call needs a call of this agent with caller speech', async ({
    app,
    world,
    backend,
  }) => {
    const tests = await agentOf(app, world.as.operator, world.tenantA);
    const agentId = tests.split('/')[5]!;
    const callId = newId('call');
    await backend.owner
      .insert(tables.calls)
      .values({ id: callId, tenantId: world.tenantA, agentId, fromNumber: '+14155550123' });
    const silent = await call(app, world.as.operator, 'POST', `${tests}/cases/from-call`, {
      callId,
      name: 'silent',
    });
    expect(silent.statusCode).toBe(400);
    expect(silent.json().error.message).toContain('no caller speech');

    await backend.owner.insert(tables.utterances).values([
      {
        tenantId: world.tenantA,
        callId,
        seq: 1,
        speaker: 'agent',
        text: 'Hi, how can I help?',
        startMs: 0,
        endMs: 900,
      },
      {
        tenantId: world.tenantA,
        callId,
        seq: 2,
        speaker: 'caller',
        text: 'book a cleaning',
        startMs: 1000,
        endMs: 2000,
      },
      {
        tenantId: world.tenantA,
        callId,
        seq: 3,
        speaker: 'agent',
        text: 'Booked.',
        startMs: 2500,
        endMs: 3000,
      },
      { tenantId: world.tenantA, callId, seq: 4, speaker: 'caller', text: 'bye', startMs: 3500, endMs: 3900 },
    ]);
    const made = await call(app, world.as.operator, 'POST', `${tests}/cases/from-call`, {
      callId,
      name: 'replay',
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({
      sourceCallId: callId,
      spec: {
        caller: {
          from: '+14155550123',
          steps: [
            { type: 'waitFor', timeoutMs: 20_000 },
            { type: 'say', text: 'book a cleaning' },
            { type: 'waitFor', timeoutMs: 20_000 },
            { type: 'say', text: 'bye' },
          ],
        },
      },
      expect: { noToolFailures: true },
    });

    const otherAgent = await agentOf(app, world.as.operator, world.tenantA);
    const wrong = await call(app, world.as.operator, 'POST', `${otherAgent}/cases/from-call`, {
      callId,
      name: 'x',
    });
    expect(wrong.statusCode).toBe(400);
    const otherTenant = await agentOf(app, world.as.operator, world.tenantB);
    const hidden = await call(app, world.as.operator, 'POST', `${otherTenant}/cases/from-call`, {
      callId,
      name: 'x',
    });
    expect(hidden.json().error.code).toBe('CALL_NOT_FOUND');
  });

  test('runs need the sandbox, and the run/case ids are checked', async ({ app, world }) => {
    const tests = await agentOf(app, world.as.operator, world.tenantA);
    const run = await call(app, world.as.operator, 'POST', `${tests}/runs`, { version: 'draft' });
    expect(run.statusCode).toBe(409);
    expect(run.json().error.code).toBe('SANDBOX_DISABLED');
    const badVersion = await call(app, world.as.operator, 'POST', `${tests}/runs`, { version: 0 });
    expect(badVersion.statusCode).toBe(400);
    const missing = await call(app, world.as.operator, 'GET', `${tests}/runs/${newId('testRun')}`);
    expect(missing.json().error.code).toBe('AGENT_TEST_RUN_NOT_FOUND');
  });
});
