import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type N8nEmulator, startN8nEmulator } from './emulator.js';
import { signJwt } from './jwt.js';

let n8n: N8nEmulator;

beforeAll(async () => {
  n8n = await startN8nEmulator();
});
afterAll(() => n8n.close());

function post(url: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function createViaApi(workflow: Record<string, unknown>, activate = true): Promise<string> {
  const headers = { 'x-n8n-api-key': n8n.apiKey, 'content-type': 'application/json' };
  const created = await fetch(`${n8n.url}/api/v1/workflows`, {
    method: 'POST',
    headers,
    body: JSON.stringify(workflow),
  });
  const { id } = (await created.json()) as { id: string };
  if (activate) await fetch(`${n8n.url}/api/v1/workflows/${id}/activate`, { method: 'POST', headers });
  return id;
}

function webhookNode(parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id: crypto.randomUUID(),
    name: 'Webhook',
    type: 'n8n-nodes-base.webhook',
    typeVersion: 2,
    position: [0, 0],
    webhookId: crypto.randomUUID(),
    parameters: { httpMethod: 'POST', ...parameters },
    ...extra,
  };
}

function respondNode(parameters: Record<string, unknown>) {
  return {
    id: crypto.randomUUID(),
    name: 'Respond to Webhook',
    type: 'n8n-nodes-base.respondToWebhook',
    typeVersion: 1.1,
    position: [240, 0],
    parameters,
  };
}

const toRespond = { Webhook: { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] } };

describe('n8n webhooks: routing', () => {
  it('answers 404 with the exact JSON and production hint for an unknown path or inactive workflow', async () => {
    const response = await post(`${n8n.url}/webhook/nobody-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      code: 404,
      message: 'The requested webhook "POST nobody-here" is not registered.',
      hint: "The workflow must be active for a production URL to run successfully. You can activate the workflow using the toggle in the top-right of the editor. Note that unlike test URL calls, production URL calls aren't shown on the canvas (only in the executions list)",
    });
    const inactive = n8n.installWorkflow({ path: 'inactive-one', active: false });
    expect((await post(inactive.webhookUrl)).status).toBe(404);
    n8n.activate(inactive.id);
    expect((await post(inactive.webhookUrl)).status).toBe(200);
    n8n.deactivate(inactive.id);
    expect((await post(inactive.webhookUrl)).status).toBe(404);
  });

  it('names the registered method when another one is used', async () => {
    n8n.installWorkflow({ path: 'post-only', method: 'POST' });
    const response = await fetch(`${n8n.url}/webhook/post-only`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      code: 404,
      message: 'This webhook is not registered for GET requests. Did you mean to make a POST request?',
    });
  });

  it('serves the test URL only once after listenForTestEvent, with the test hint otherwise', async () => {
    const installed = n8n.installWorkflow({
      path: 'test-me',
      active: false,
      script: { otherwise: { type: 'echo' } },
    });
    const idle = await post(installed.testWebhookUrl);
    expect(idle.status).toBe(404);
    expect(await idle.json()).toMatchObject({
      message: 'The requested webhook "POST test-me" is not registered.',
      hint: "Click the 'Execute workflow' button on the canvas, then try again. (In test mode, the webhook only works for one call after you click this button)",
    });
    const arm = await fetch(`${n8n.url}/__emulator/workflows/${installed.id}/listen`, {
      method: 'POST',
      headers: { 'x-n8n-api-key': n8n.apiKey },
    });
    expect(arm.status).toBe(200);
    const once = await post(installed.testWebhookUrl, { hello: 'test' });
    expect(await once.json()).toEqual({ hello: 'test' });
    expect((await post(installed.testWebhookUrl)).status).toBe(404);
    expect(n8n.executions({ workflowId: installed.id }).map((execution) => execution.mode)).toEqual([
      'manual',
    ]);
  });

  it('expires an armed test webhook after its listening window', async () => {
    let now = Date.now();
    const own = await startN8nEmulator({ now: () => now });
    try {
      const installed = own.installWorkflow({ path: 'expiring', active: false });
      own.listenForTestEvent(installed.id);
      now += 120_001;
      expect((await post(installed.testWebhookUrl)).status).toBe(404);
    } finally {
      await own.close();
    }
  });

  it('answers OPTIONS with 204 and the allowed methods', async () => {
    n8n.installWorkflow({ path: 'cors-path', method: 'PUT' });
    const response = await fetch(`${n8n.url}/webhook/cors-path`, {
      method: 'OPTIONS',
      headers: { 'access-control-request-headers': 'content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-methods')).toBe('OPTIONS, PUT');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type');
    expect((await fetch(`${n8n.url}/webhook/no-cors`, { method: 'OPTIONS' })).status).toBe(404);
  });

  it('routes dynamic paths under the webhookId and passes the params', async () => {
    const node = webhookNode({ path: 'orders/:orderId', responseMode: 'lastNode' });
    await createViaApi({ name: 'Dynamic', nodes: [node], connections: {}, settings: {} });
    const response = await post(`${n8n.url}/webhook/${node.webhookId}/orders/A-17`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ params: { orderId: 'A-17' } });
  });
});

describe('n8n webhooks: authentication', () => {
  const basicHeader = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  async function expectRejected(response: Response, status: number, text: string): Promise<void> {
    expect(response.status).toBe(status);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="Webhook"');
    expect(await response.text()).toBe(text);
  }

  it('header auth: 403 "Authorization data is wrong!" when missing or wrong', async () => {
    const installed = n8n.installWorkflow({
      path: 'header-auth',
      auth: { type: 'header', name: 'X-Api-Token', value: 'tok' },
    });
    await expectRejected(await post(installed.webhookUrl), 403, 'Authorization data is wrong!');
    await expectRejected(
      await post(installed.webhookUrl, {}, { 'x-api-token': 'nope' }),
      403,
      'Authorization data is wrong!',
    );
    expect((await post(installed.webhookUrl, {}, { 'X-Api-Token': 'tok' })).status).toBe(200);
    expect(n8n.executions({ workflowId: installed.id })).toHaveLength(1);
    expect(n8n.webhookCalls({ workflowId: installed.id }).map((call) => call.outcome)).toEqual([
      'auth_failed',
      'auth_failed',
      'executed',
    ]);
  });

  it('basic auth: 401 "Authorization is required!" without, 401 "Authentication data is wrong!" when wrong', async () => {
    const installed = n8n.installWorkflow({
      path: 'basic-auth',
      auth: { type: 'basic', user: 'gw', password: 'pw' },
    });
    await expectRejected(await post(installed.webhookUrl), 401, 'Authorization is required!');
    await expectRejected(
      await post(installed.webhookUrl, {}, { authorization: basicHeader('gw', 'bad') }),
      401,
      'Authentication data is wrong!',
    );
    expect((await post(installed.webhookUrl, {}, { authorization: basicHeader('gw', 'pw') })).status).toBe(
      200,
    );
  });

  it('JWT auth: 401 "No token provided", 403 with the jsonwebtoken error text, payload passed on', async () => {
    const installed = n8n.installWorkflow({
      path: 'jwt-auth',
      auth: { type: 'jwt', secret: 'jwt-secret' },
      script: { otherwise: { type: 'json', body: { caller: '{{jwtPayload.sub}}' } } },
    });
    await expectRejected(await post(installed.webhookUrl), 401, 'No token provided');
    const forged = signJwt({ sub: 'gw' }, 'other-secret');
    await expectRejected(
      await post(installed.webhookUrl, {}, { authorization: `Bearer ${forged}` }),
      403,
      'invalid signature',
    );
    const expired = signJwt({ sub: 'gw', exp: Math.floor(Date.now() / 1000) - 10 }, 'jwt-secret');
    await expectRejected(
      await post(installed.webhookUrl, {}, { authorization: `Bearer ${expired}` }),
      403,
      'jwt expired',
    );
    await expectRejected(
      await post(installed.webhookUrl, {}, { authorization: 'Bearer abc' }),
      403,
      'jwt malformed',
    );
    const good = await post(
      installed.webhookUrl,
      {},
      { authorization: `Bearer ${signJwt({ sub: 'gw' }, 'jwt-secret')}` },
    );
    expect(await good.json()).toEqual({ caller: 'gw' });
  });

  it('answers 500 "No authentication data defined on node!" when the credential is missing', async () => {
    await createViaApi({
      name: 'No credential',
      nodes: [webhookNode({ path: 'no-cred', authentication: 'headerAuth' })],
      connections: {},
      settings: {},
    });
    const response = await post(`${n8n.url}/webhook/no-cred`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('No authentication data defined on node!');
  });
});

describe('n8n webhooks: response modes of API-created workflows', () => {
  it('onReceived answers {"message":"Workflow was started"} with the configured code', async () => {
    await createViaApi({
      name: 'On received',
      nodes: [
        webhookNode({ path: 'on-received', options: { responseCode: { values: { responseCode: 202 } } } }),
      ],
      connections: {},
      settings: {},
    });
    const response = await post(`${n8n.url}/webhook/on-received`);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ message: 'Workflow was started' });
  });

  it('lastNode answers the webhook output item', async () => {
    await createViaApi({
      name: 'Last node',
      nodes: [webhookNode({ path: 'last-node', responseMode: 'lastNode' })],
      connections: {},
      settings: {},
    });
    const response = await post(
      `${n8n.url}/webhook/last-node?x=1`,
      { callSid: 'CA1' },
      { 'idempotency-key': 'k-1' },
    );
    expect(await response.json()).toMatchObject({
      body: { callSid: 'CA1' },
      query: { x: '1' },
      headers: { 'idempotency-key': 'k-1' },
      executionMode: 'production',
      webhookUrl: `${n8n.url}/webhook/last-node`,
    });
  });

  it('responseNode answers the Respond to Webhook static JSON with its code and headers', async () => {
    await createViaApi({
      name: 'Respond static',
      nodes: [
        webhookNode({ path: 'respond-static', responseMode: 'responseNode' }),
        respondNode({
          respondWith: 'json',
          responseBody: '{"ok":true,"slot":"19:00"}',
          options: {
            responseCode: 201,
            responseHeaders: { entries: [{ name: 'X-Slot', value: 'evening' }] },
          },
        }),
      ],
      connections: toRespond,
      settings: {},
    });
    const response = await post(`${n8n.url}/webhook/respond-static`);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-slot')).toBe('evening');
    expect(await response.json()).toEqual({ ok: true, slot: '19:00' });
  });

  it('responseNode evaluates {{ $json.path }} expressions and nothing else', async () => {
    await createViaApi({
      name: 'Respond expression',
      nodes: [
        webhookNode({ path: 'respond-expr', responseMode: 'responseNode' }),
        respondNode({
          respondWith: 'json',
          responseBody: '={ "ok": true, "callSid": "{{ $json.body.callSid }}" }',
        }),
      ],
      connections: toRespond,
      settings: {},
    });
    expect(await (await post(`${n8n.url}/webhook/respond-expr`, { callSid: 'CA9' })).json()).toEqual({
      ok: true,
      callSid: 'CA9',
    });
    await createViaApi({
      name: 'Respond code expression',
      nodes: [
        webhookNode({ path: 'respond-code', responseMode: 'responseNode' }),
        respondNode({ respondWith: 'json', responseBody: '={{ { "ok": $json.body.a > 1 } }}' }),
      ],
      connections: toRespond,
      settings: {},
    });
    const unsupported = await post(`${n8n.url}/webhook/respond-code`);
    expect(unsupported.status).toBe(500);
    expect(await unsupported.json()).toEqual({ message: 'Error in workflow' });
    expect(n8n.executions().at(-1)).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/only evaluates/),
    });
  });

  it('responseNode without a Respond to Webhook node fails with 500 "Error in workflow"', async () => {
    await createViaApi({
      name: 'Respond missing',
      nodes: [webhookNode({ path: 'respond-missing', responseMode: 'responseNode' })],
      connections: {},
      settings: {},
    });
    const response = await post(`${n8n.url}/webhook/respond-missing`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Error in workflow' });
  });

  it('a script replaces node interpretation for an API-created workflow', async () => {
    const id = await createViaApi({
      name: 'Scripted later',
      nodes: [webhookNode({ path: 'scripted-later', responseMode: 'lastNode' })],
      connections: {},
      settings: {},
    });
    n8n.setWorkflowScript(id, { otherwise: { type: 'json', body: { scripted: true } } });
    expect(await (await post(`${n8n.url}/webhook/scripted-later`)).json()).toEqual({ scripted: true });
  });
});

describe('n8n webhooks: scripted behaviour', () => {
  it('answers templated JSON with status and headers, and records the execution', async () => {
    const installed = n8n.installWorkflow({
      path: 'book-table',
      script: {
        otherwise: {
          type: 'json',
          status: 201,
          headers: { 'X-Booking': 'yes' },
          body: {
            ok: true,
            callSid: '{{body.callSid}}',
            party: '{{body.party}}',
            key: 'key {{headers.idempotency-key}}',
          },
        },
      },
    });
    const started = Date.now();
    const response = await post(
      installed.webhookUrl,
      { callSid: 'CA5', party: 4 },
      { 'Idempotency-Key': 'idem-1' },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('x-booking')).toBe('yes');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ ok: true, callSid: 'CA5', party: 4, key: 'key idem-1' });
    const [execution] = n8n.executions({ workflowId: installed.id });
    expect(execution).toMatchObject({
      mode: 'webhook',
      status: 'success',
      callNumber: 1,
      request: { method: 'POST', path: 'book-table', body: { callSid: 'CA5', party: 4 } },
      response: { status: 201, delivered: true },
    });
    expect(execution?.request.headers['idempotency-key']).toBe('idem-1');
    expect(execution?.request.receivedAt).toBeGreaterThanOrEqual(started);
  });

  it('echoes the body, answers text, and fails with a status and body', async () => {
    const echo = n8n.installWorkflow({ path: 'echo', script: { otherwise: { type: 'echo' } } });
    expect(await (await post(echo.webhookUrl, { a: [1, 2] })).json()).toEqual({ a: [1, 2] });
    const text = n8n.installWorkflow({
      path: 'text',
      script: { otherwise: { type: 'text', body: 'plain words' } },
    });
    const textResponse = await post(text.webhookUrl);
    expect(textResponse.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await textResponse.text()).toBe('plain words');
    const fail = n8n.installWorkflow({ path: 'fail', script: { otherwise: { type: 'fail' } } });
    const failed = await post(fail.webhookUrl);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Error in workflow' });
    expect(n8n.executions({ workflowId: fail.id })[0]?.status).toBe('error');
    const custom = n8n.installWorkflow({
      path: 'fail-custom',
      script: { otherwise: { type: 'fail', status: 503, body: { message: 'upstream down' } } },
    });
    const customFailed = await post(custom.webhookUrl);
    expect(customFailed.status).toBe(503);
    expect(await customFailed.json()).toEqual({ message: 'upstream down' });
  });

  it('onReceived answers at once even when the script fails, and records the error', async () => {
    const installed = n8n.installWorkflow({
      path: 'fire-and-forget',
      responseMode: 'onReceived',
      script: { otherwise: { type: 'fail' } },
    });
    const response = await post(installed.webhookUrl);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Workflow was started' });
    expect(n8n.executions({ workflowId: installed.id })[0]?.status).toBe('error');
  });

  it('noData: lastNode says so, responseNode answers an empty body', async () => {
    const last = n8n.installWorkflow({
      path: 'no-data-last',
      responseMode: 'lastNode',
      script: { otherwise: { type: 'noData' } },
    });
    expect(await (await post(last.webhookUrl)).json()).toEqual({
      message: 'Workflow executed successfully but the last node did not return any data',
    });
    const node = n8n.installWorkflow({
      path: 'no-data-node',
      script: { otherwise: { type: 'noData', status: 204 } },
    });
    const response = await post(node.webhookUrl);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('delays the answer by delayMs', async () => {
    const installed = n8n.installWorkflow({
      path: 'slow',
      script: { otherwise: { type: 'json', body: {}, delayMs: 200 } },
    });
    const started = performance.now();
    await (await post(installed.webhookUrl)).json();
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('drops the connection: the caller sees a network error', async () => {
    const installed = n8n.installWorkflow({ path: 'drop', script: { otherwise: { type: 'drop' } } });
    await expect(post(installed.webhookUrl)).rejects.toThrow(TypeError);
    expect(n8n.executions({ workflowId: installed.id })[0]).toMatchObject({
      status: 'crashed',
      response: { delivered: false },
    });
  });

  it('returns invalid JSON and oversized bodies of an exact size', async () => {
    const invalid = n8n.installWorkflow({
      path: 'invalid-json',
      script: { otherwise: { type: 'invalidJson' } },
    });
    const response = await post(invalid.webhookUrl);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    await expect(response.json()).rejects.toThrow(SyntaxError);
    const big = n8n.installWorkflow({
      path: 'oversized',
      script: { otherwise: { type: 'oversized', bytes: 2_000_000 } },
    });
    const bigBody = await (await post(big.webhookUrl)).text();
    expect(Buffer.byteLength(bigBody)).toBe(2_000_000);
    expect(() => JSON.parse(bigBody)).not.toThrow();
  });

  it('times out once then succeeds (hang, then JSON), recording both executions', async () => {
    const installed = n8n.installWorkflow({
      path: 'timeout-then-success',
      script: { first: [{ respond: { type: 'hang' } }], otherwise: { type: 'json', body: { ok: true } } },
    });
    const aborted = await fetch(installed.webhookUrl, {
      method: 'POST',
      signal: AbortSignal.timeout(150),
    }).catch((error: unknown) => error);
    expect(aborted).toBeInstanceOf(Error);
    expect((aborted as Error).name).toBe('TimeoutError');
    const second = await post(installed.webhookUrl);
    expect(await second.json()).toEqual({ ok: true });
    await expect
      .poll(() => n8n.executions({ workflowId: installed.id }).map((execution) => execution.status))
      .toEqual(['canceled', 'success']);
  });

  it('answers 429 with Retry-After twice, then 200', async () => {
    const installed = n8n.installWorkflow({
      path: 'rate-limited',
      script: {
        first: [
          {
            times: 2,
            respond: {
              type: 'fail',
              status: 429,
              headers: { 'Retry-After': '1' },
              body: { message: 'slow down' },
            },
          },
        ],
        otherwise: { type: 'json', body: { ok: true } },
      },
    });
    const answers: { status: number; retryAfter: string | null }[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await post(installed.webhookUrl);
      answers.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
      await response.arrayBuffer();
    }
    expect(answers).toEqual([
      { status: 429, retryAfter: '1' },
      { status: 429, retryAfter: '1' },
      { status: 200, retryAfter: null },
    ]);
    expect(n8n.executions({ workflowId: installed.id }).map((execution) => execution.callNumber)).toEqual([
      1, 2, 3,
    ]);
  });

  it('reset() restarts the sequences and clears the records', async () => {
    const installed = n8n.installWorkflow({
      path: 'resettable',
      script: { first: [{ respond: { type: 'fail', status: 503 } }], otherwise: { type: 'json', body: {} } },
    });
    expect((await post(installed.webhookUrl)).status).toBe(503);
    expect((await post(installed.webhookUrl)).status).toBe(200);
    n8n.reset();
    expect(n8n.executions()).toEqual([]);
    expect((await post(installed.webhookUrl)).status).toBe(503);
  });

  it('refuses to install a second workflow on an active method + path', () => {
    n8n.installWorkflow({ path: 'only-once' });
    expect(() => n8n.installWorkflow({ path: 'only-once' })).toThrow(/already registered/);
    expect(() => n8n.installWorkflow({ path: 'only-once', method: 'GET' })).not.toThrow();
  });
});
