import { PassThrough } from 'node:stream';
import { loadScenario, parseScenario, type Scenario, shippedScenarioNames } from '@switchboard/sandbox';
import { type Static, Type } from 'typebox';
import { AppError } from '../../lib/errors.js';
import type { AppContext } from '../context.js';
import { routePlugin } from '../route.js';
import type { SandboxCalls } from '../sandbox-calls-port.js';
import { ErrorBody, Strict } from '../schemas.js';

const PlaceSandboxCall = Strict({
  to: Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'the E.164 number to call' }),
  scenario: Type.Union([
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: `a shipped scenario: ${shippedScenarioNames().join(', ')}`,
    }),
    Type.Record(Type.String(), Type.Unknown(), {
      description: 'a scenario document (see packages/sandbox/src/scenarios)',
    }),
  ]),
  speed: Type.Optional(
    Type.Number({ minimum: 0.5, maximum: 8, description: 'playout speed, 1 = real time (default 1)' }),
  ),
});

const TranscriptEntry = Type.Object({
  speaker: Type.String(),
  text: Type.String(),
  startMs: Type.Number(),
  endMs: Type.Number(),
  interrupted: Type.Optional(Type.Boolean()),
  bargeIn: Type.Optional(Type.Boolean()),
});
const SandboxCallResult = Strict({
  callId: Type.Union([Type.String(), Type.Null()]),
  callSid: Type.String(),
  status: Type.Union([Type.String(), Type.Null()]),
  endReason: Type.Union([Type.String(), Type.Null()]),
  transcript: Type.Array(TranscriptEntry),
  problems: Type.Array(Type.String()),
  line: Type.Optional(
    Type.Object(
      {
        frames: Type.Integer({ description: 'frames played to the caller' }),
        maxLateMs: Type.Number({ description: 'how far behind real time a frame went out, at worst' }),
      },
      { description: 'how the emulated line kept time (a process that cannot keep up slips it)' },
    ),
  ),
});

/** A shipped scenario by name (never a file path from the network), or an inline document. */
async function resolveScenario(input: string | Record<string, unknown>): Promise<Scenario> {
  if (typeof input === 'string') {
    if (!shippedScenarioNames().includes(input)) {
      throw new AppError('VALIDATION_FAILED', `unknown scenario "${input}"`, [
        { field: 'body/scenario', message: `must be one of ${shippedScenarioNames().join(', ')}` },
      ]);
    }
    return loadScenario(input);
  }
  const parsed = parseScenario(input);
  if (!parsed.ok) {
    throw new AppError(
      'VALIDATION_FAILED',
      'scenario is invalid',
      parsed.issues.map((i) => ({ field: `body/scenario${i.path ? `.${i.path}` : ''}`, message: i.message })),
    );
  }
  return parsed.scenario;
}

export const sandboxCallRoutes = routePlugin<{ ctx: AppContext; sandboxCalls?: SandboxCalls }>(
  ['sandbox'],
  (route, _ctx, { sandboxCalls }) => {
    route({
      method: 'POST',
      url: '/api/sandbox/calls',
      access: 'sandbox:call',
      action: 'sandbox.call',
      summary: 'Place a simulated call to a number through the whole stack (the console\'s "test call")',
      description:
        'Answers JSON when the call is over; 503 `LINES_BUSY` (with `Retry-After`) at once when the call was refused for want of a free line. With `Accept: application/x-ndjson` it streams the conversation as it happens, one JSON event per line, the last line being `{"type":"result",...}`.',
      body: PlaceSandboxCall,
      response: {
        200: SandboxCallResult,
        409: ErrorBody,
        // LINES_BUSY (with Retry-After): the tenant's concurrent-call limit or every worker is full.
        503: ErrorBody,
      },
      handler: async (request, reply) => {
        const scenario = await resolveScenario(request.body.scenario);
        if (!sandboxCalls) {
          throw new AppError(
            'SANDBOX_DISABLED',
            'the sandbox is off: real providers are configured (SANDBOX=on enables it)',
          );
        }
        const input = { to: request.body.to, scenario, speed: request.body.speed };
        if (!String(request.headers.accept ?? '').includes('application/x-ndjson')) {
          return sandboxCalls.place(input);
        }
        const stream = new PassThrough();
        const write = (event: unknown) => stream.write(`${JSON.stringify(event)}\n`);
        sandboxCalls
          .place({ ...input, onEvent: write })
          .then((result) => write({ type: 'result', ...result }))
          .catch((err: unknown) => {
            request.log.error({ err }, 'sandbox call failed');
            write({
              type: 'error',
              message: err instanceof AppError ? err.message : 'the sandbox call failed',
            });
          })
          .finally(() => stream.end());
        // A stream is sent as is; the 200 schema describes the non-streaming answer.
        return reply.type('application/x-ndjson').send(stream as unknown as Static<typeof SandboxCallResult>);
      },
    });
  },
);
