import { parseScenario } from '@switchboard/sandbox';
import { Type } from 'typebox';
import { roleFor } from '../../auth/index.js';
import { AppError } from '../../lib/errors.js';
import { Nullable } from '../../lib/schema-helpers.js';
import {
  caseScenarioForValidation,
  createTestCase,
  createTestCaseFromCall,
  createTestRunner,
  deleteTestCase,
  getTestCase,
  getTestRun,
  listTestCases,
  listTestRuns,
  type TestCallPlacer,
  TestCaseName,
  TestCaseSpec,
  TestExpect,
  testCaseHistory,
  updateTestCase,
} from '../../quality/index.js';
import type { AppContext } from '../context.js';
import { routePlugin } from '../route.js';
import type { SandboxCalls } from '../sandbox-calls-port.js';
import { ErrorBody, Id, NullableTimestamp, Strict, StringEnum, Timestamp } from '../schemas.js';
import { AgentParams } from '../tenant-resource-schemas.js';

const CaseParams = Strict({ ...AgentParams.properties, caseId: Id('testCase') });
const RunParams = Strict({ ...AgentParams.properties, runId: Id('testRun') });

const TestCase = Strict({
  id: Id('testCase'),
  agentId: Id('agent'),
  name: Type.String(),
  revision: Type.Integer(),
  spec: TestCaseSpec,
  expect: TestExpect,
  sourceCallId: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const TestCaseRevision = Strict({
  revision: Type.Integer(),
  name: Type.String(),
  spec: TestCaseSpec,
  expect: TestExpect,
  deleted: Type.Boolean(),
  actorId: Nullable(Type.String()),
  createdAt: Timestamp,
});
const TestRun = Strict({
  id: Id('testRun'),
  agentId: Id('agent'),
  version: Nullable(Type.Integer({ description: 'the version run against; null for the draft' })),
  agentVersionId: Nullable(Type.String()),
  configHash: Type.String({ description: 'sha256 of the configuration the calls ran with' }),
  status: StringEnum(['queued', 'running', 'passed', 'failed', 'error'] as const),
  total: Type.Integer(),
  completed: Type.Integer(),
  passed: Type.Integer(),
  failed: Type.Integer(),
  errorMessage: Nullable(Type.String()),
  startedBy: Nullable(Type.String()),
  createdAt: Timestamp,
  finishedAt: NullableTimestamp,
});
const TestResult = Strict({
  caseId: Type.String(),
  caseName: Type.String(),
  caseRevision: Type.Integer(),
  status: StringEnum(['passed', 'failed', 'error'] as const),
  reasons: Type.Array(Type.String(), { description: 'why the case failed; empty when it passed' }),
  transcript: Type.Array(Type.Unknown()),
  toolTrace: Type.Array(Type.Unknown()),
  latency: Type.Record(Type.String(), Type.Unknown()),
  callId: Nullable(Type.String()),
  durationMs: Type.Integer(),
});
const TestRunDetail = Strict({
  ...TestRun.properties,
  results: Type.Array(TestResult),
  comparison: Nullable(
    Strict({
      version: Type.Integer(),
      runId: Type.String(),
      cases: Type.Array(
        Strict({
          caseId: Type.String(),
          caseName: Type.String(),
          status: Type.String(),
          published: Nullable(Type.String()),
        }),
      ),
    }),
  ),
});

/** A case's spec must be a valid sandbox scenario (caller script, LLM rules, stubs); VALIDATION_FAILED names the fields. */
function checkSpec(spec: TestCaseSpec): void {
  const { scenario, issues } = caseScenarioForValidation(spec);
  const parsed = parseScenario(scenario);
  const all = [
    ...issues.map((i) => ({ field: `body/spec.${i.field}`, message: i.message })),
    ...(parsed.ok
      ? []
      : parsed.issues.map((i) => ({
          field: `body/spec${i.path ? `.${i.path.replace(/^n8n\.workflows/, 'tools.stubs')}` : ''}`,
          message: i.message,
        }))),
  ];
  if (all.length > 0) throw new AppError('VALIDATION_FAILED', 'the test case is invalid', all);
}

/** Test calls go through the sandbox's call path (`POST /api/sandbox/calls`), the caller's own failures included. */
function sandboxPlacer(sandboxCalls: SandboxCalls): TestCallPlacer {
  return {
    async place({ to, scenario, speed, beforeDial }) {
      const parsed = parseScenario(scenario);
      if (!parsed.ok) {
        throw new Error(
          `the case is not a valid scenario: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        );
      }
      const failures: string[] = [];
      const result = await sandboxCalls.place({
        to,
        scenario: parsed.scenario,
        speed,
        beforeDial,
        onEvent: (event) => {
          if (event.type === 'failed') failures.push(event.failure.message);
        },
      });
      return { ...result, problems: [...failures, ...result.problems] };
    },
  };
}

export const agentTestRoutes = routePlugin<{ ctx: AppContext; sandboxCalls?: SandboxCalls }>(
  ['agent tests'],
  (route, { deps }, { sandboxCalls }, app) => {
    const runner = createTestRunner(deps, sandboxCalls ? sandboxPlacer(sandboxCalls) : undefined);
    app.addHook('onClose', () => runner.idle());
    const base = '/api/tenants/:tenantId/agents/:agentId/tests';

    route({
      method: 'GET',
      url: `${base}/cases`,
      access: 'agents:read',
      summary: "The agent's test suite: its active cases, in the order a run plays them",
      params: AgentParams,
      response: { 200: Strict({ items: Type.Array(TestCase) }) },
      handler: async (request) => ({
        items: await listTestCases(deps, request.params.tenantId, request.params.agentId),
      }),
    });

    route({
      method: 'POST',
      url: `${base}/cases`,
      access: 'agents:write',
      action: 'agent_test.create',
      summary: 'Add a test case: a caller script (sandbox scenario format) and expectations',
      params: AgentParams,
      body: Strict({ name: TestCaseName, spec: TestCaseSpec, expect: TestExpect }),
      response: { 201: TestCase },
      handler: async (request) => {
        checkSpec(request.body.spec);
        return createTestCase(
          deps,
          request.actor,
          request.params.tenantId,
          request.params.agentId,
          request.body,
        );
      },
    });

    route({
      method: 'POST',
      url: `${base}/cases/from-call`,
      access: 'agents:write',
      action: 'agent_test.create',
      summary: 'Turn a finished call into a test case: its caller turns become the script',
      description:
        'By default the case expects the tools the call ran and no tool failure; `expect` replaces that, `llm` gives the sandbox model its rules.',
      params: AgentParams,
      body: Strict({
        callId: Id('call'),
        name: TestCaseName,
        expect: Type.Optional(TestExpect),
        llm: Type.Optional(TestCaseSpec.properties.llm),
      }),
      response: { 201: TestCase },
      handler: async (request) => {
        if (request.body.llm)
          checkSpec({ caller: { steps: [{ type: 'pause', ms: 0 }] }, llm: request.body.llm });
        return createTestCaseFromCall(
          deps,
          request.actor,
          request.params.tenantId,
          request.params.agentId,
          request.body,
        );
      },
    });

    route({
      method: 'GET',
      url: `${base}/cases/:caseId`,
      access: 'agents:read',
      summary: 'Get a test case',
      params: CaseParams,
      response: { 200: TestCase },
      handler: async (request) =>
        getTestCase(deps, request.params.tenantId, request.params.agentId, request.params.caseId),
    });

    route({
      method: 'PATCH',
      url: `${base}/cases/:caseId`,
      access: 'agents:write',
      action: 'agent_test.update',
      summary: 'Change a test case (a new revision; the history keeps the old one)',
      params: CaseParams,
      body: Strict({
        name: Type.Optional(TestCaseName),
        spec: Type.Optional(TestCaseSpec),
        expect: Type.Optional(TestExpect),
      }),
      response: { 200: TestCase },
      handler: async (request) => {
        if (request.body.spec) checkSpec(request.body.spec);
        return updateTestCase(
          deps,
          request.actor,
          request.params.tenantId,
          request.params.agentId,
          request.params.caseId,
          request.body,
        );
      },
    });

    route({
      method: 'DELETE',
      url: `${base}/cases/:caseId`,
      access: 'agents:write',
      action: 'agent_test.delete',
      summary: 'Remove a test case from the suite (its history and results stay)',
      params: CaseParams,
      response: { 204: Type.Null() },
      handler: async (request) => {
        await deleteTestCase(
          deps,
          request.actor,
          request.params.tenantId,
          request.params.agentId,
          request.params.caseId,
        );
      },
    });

    route({
      method: 'GET',
      url: `${base}/cases/:caseId/history`,
      access: 'agents:read',
      summary: "A test case's revisions, newest first",
      params: CaseParams,
      response: { 200: Strict({ items: Type.Array(TestCaseRevision) }) },
      handler: async (request) => ({
        items: await testCaseHistory(
          deps,
          request.params.tenantId,
          request.params.agentId,
          request.params.caseId,
        ),
      }),
    });

    route({
      method: 'POST',
      url: `${base}/runs`,
      access: 'agents:write',
      action: 'agent_test.run',
      summary: 'Run the suite against the draft (default) or a version, through the whole call path',
      description:
        'A job: answers 202 with the run at once; read progress and results from GET …/runs/{runId}. With `wait: true` answers 200 with the finished run. Needs the sandbox (simulated callers) and a phone number on the agent.',
      params: AgentParams,
      body: Strict({
        version: Type.Optional(
          Type.Union([Type.Integer({ minimum: 1 }), Type.Literal('draft')], {
            description: 'a version number, or "draft" (the default)',
          }),
        ),
        wait: Type.Optional(Type.Boolean({ description: 'answer once the run has finished' })),
      }),
      response: { 200: TestRunDetail, 202: TestRun, 409: ErrorBody, 422: ErrorBody },
      preValidation: async (request) => {
        request.body ??= {};
      },
      handler: async (request, reply) => {
        const { tenantId, agentId } = request.params;
        const version = request.body.version ?? 'draft';
        const run = await runner.start(
          request.actor,
          tenantId,
          agentId,
          version === 'draft' ? 'draft' : { version },
        );
        if (!request.body.wait) return reply.status(202).send(run);
        await runner.finished(run.id);
        return reply.status(200).send(await getTestRun(deps, tenantId, agentId, run.id));
      },
    });

    route({
      method: 'GET',
      url: `${base}/runs`,
      access: 'agents:read',
      summary: "The agent's test runs, newest first (history per version with `version`)",
      params: AgentParams,
      querystring: Strict({
        version: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Literal('draft')])),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
      }),
      response: { 200: Strict({ items: Type.Array(TestRun) }) },
      handler: async (request) => ({
        items: await listTestRuns(deps, request.params.tenantId, request.params.agentId, {
          version: request.query.version,
          limit: request.query.limit ?? 20,
        }),
      }),
    });

    route({
      method: 'GET',
      url: `${base}/runs/:runId`,
      access: 'agents:read',
      summary: 'A test run: progress, a result per case, and the comparison with the published version',
      params: RunParams,
      response: { 200: TestRunDetail },
      handler: async (request) =>
        getTestRun(deps, request.params.tenantId, request.params.agentId, request.params.runId),
    });
  },
);

/** Whether the principal may publish past a failing suite (only an internal_admin). */
export function mayOverridePublishGate(
  principal: Parameters<typeof roleFor>[0] | undefined,
  tenantId: string,
): boolean {
  return principal !== undefined && roleFor(principal, tenantId) === 'internal_admin';
}
