import {
  checkScenarioExpectations,
  newTwilioSid,
  runCaller,
  type Sandbox,
  type Scenario,
} from '@switchboard/sandbox';
import { resolveNumber } from '../control/index.js';
import type { CallEndReason } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { countToolRequests } from '../gateway/index.js';
import type { SandboxCallInput, SandboxCallResult, SandboxCalls } from '../http/sandbox-calls-port.js';
import { AppError } from '../lib/errors.js';
import type { PublicUrl } from '../lib/public-url.js';
import { findCallBySid, waitForCallEnd } from '../runtime/index.js';
import { STATUS_PATH, VOICE_PATH } from '../telephony/index.js';

export type { SandboxCallInput, SandboxCallResult, SandboxCalls };

/** How long after the line closes the engine may take to record the end. */
const END_RECORDED_WITHIN_MS = 5_000;
/** The call a gateway request to n8n was made for (`context.callId` of its JSON body). */
function callIdOf(rawBody: string): string | undefined {
  try {
    return (JSON.parse(rawBody) as { context?: { callId?: string } }).context?.callId;
  } catch {
    return undefined;
  }
}

/** End reasons of a call refused because no line was free: the caller should simply try again. */
const BUSY_REASONS: ReadonlySet<CallEndReason> = new Set(['over_concurrent_limit', 'worker_busy']);
/** Seconds a refused caller is told to wait before trying again. */
const BUSY_RETRY_AFTER_S = 5;

/** The API's answer to a call refused for want of a free line (the tenant's limit or a full worker). */
function linesBusy(reason: CallEndReason, callId: string): AppError {
  return new AppError(
    'LINES_BUSY',
    reason === 'over_concurrent_limit'
      ? "the tenant's concurrent-call limit is reached; try again when a call ends"
      : 'every call worker is full; try again in a few seconds',
    { reason, callId },
    { headers: { 'retry-after': String(BUSY_RETRY_AFTER_S) } },
  );
}

/**
 * Simulated calls through the whole stack: the Twilio emulator dials our webhook, the scenario's
 * caller talks to the agent, and its LLM script and faults play under the call's provider key.
 */
export function createSandboxCalls(deps: Deps, sandbox: Sandbox, publicUrl: PublicUrl): SandboxCalls {
  /** The workflow answering each path, with the spec it was installed from. */
  const workflowByPath = new Map<string, { id: string; spec: string }>();

  /** Every registered number rings our webhook on the emulated Twilio, including numbers added since start-up. */
  const ensureLine = (e164: string) => {
    if (sandbox.twilio.numbers.some((n) => n.phoneNumber === e164)) return;
    sandbox.twilio.addNumber({
      phoneNumber: e164,
      voiceUrl: `${publicUrl.get()}${VOICE_PATH}`,
      statusCallback: `${publicUrl.get()}${STATUS_PATH}`,
    });
  };

  /**
   * The scenario's workflows replace whatever answered their paths before (tools call fixed paths);
   * the same spec stays installed, so calls running side by side keep their workflow.
   */
  const installWorkflows = (scenario: Scenario) => {
    for (const { tool: _tool, ...spec } of scenario.n8n?.workflows ?? []) {
      const key = JSON.stringify(spec);
      const previous = workflowByPath.get(spec.path);
      if (previous?.spec === key) continue;
      if (previous) sandbox.n8n.deactivate(previous.id);
      const id = sandbox.n8n.installWorkflow({ ...spec, name: spec.name ?? spec.path }).id;
      workflowByPath.set(spec.path, { id, spec: key });
    }
  };

  return {
    installWorkflows,
    async place({ to, scenario, speed = 1, onEvent, beforeDial }) {
      const number = await resolveNumber(deps, to);
      if (!number.ok && number.reason === 'unknown_number')
        throw new AppError('PHONE_NUMBER_NOT_FOUND', `no tenant has the number ${to}`);
      ensureLine(to);
      installWorkflows(scenario);
      const callSid = newTwilioSid('CA');
      const key = `test-${callSid}`;
      sandbox.applyScenario(key, { ...scenario, n8n: undefined });
      try {
        await beforeDial?.(callSid);
        const call = await sandbox.twilio.placeCall({ callSid, from: scenario.caller.from, to, speed });
        // The webhook's answer is in: without a media stream the call was refused (busy message, hang-up).
        if (!call.twiml?.some((verb) => verb.verb === 'Connect')) {
          const refused = await findCallBySid(deps, callSid);
          if (refused?.status === 'rejected') {
            await call.hangup();
            if (refused.endReason && BUSY_REASONS.has(refused.endReason))
              throw linesBusy(refused.endReason, refused.id);
            return {
              callId: refused.id,
              callSid,
              status: refused.status,
              endReason: refused.endReason,
              transcript: [],
              problems: [`the call was refused: ${refused.endReason ?? 'unknown reason'}`],
            };
          }
        }
        const caller = await runCaller(call, scenario.caller, { onEvent, pace: sandbox.pace.speech }).catch(
          async (err: unknown) => {
            // Refused at media time (the worker its socket reached was full): a busy answer, not a failure.
            const row = await findCallBySid(deps, callSid);
            if (row?.status === 'rejected' && row.endReason && BUSY_REASONS.has(row.endReason))
              throw linesBusy(row.endReason, row.id);
            throw err;
          },
        );
        await call.ended;
        const admitted = await findCallBySid(deps, callSid);
        // The engine records the end just after the line closes.
        const row = admitted && (await waitForCallEnd(deps, admitted.id, END_RECORDED_WITHIN_MS));
        if (row?.status === 'rejected' && row.endReason && BUSY_REASONS.has(row.endReason))
          throw linesBusy(row.endReason, row.id);
        // The workflows answer their plain paths for every call: count this call's requests only
        // (the gateway names the call in the body's context). A tool the tenant bound to its own n8n
        // never reaches the sandbox's: its requests are counted from the call's recorded attempts.
        const n8nCalls: Record<string, number> = {};
        const recorded = row ? await countToolRequests(deps, row.tenantId, row.id) : {};
        for (const { path, tool } of scenario.n8n?.workflows ?? []) {
          const workflowId = workflowByPath.get(path)?.id;
          const seen = workflowId
            ? sandbox.n8n.webhookCalls({ workflowId }).filter((c) => row && callIdOf(c.rawBody) === row.id)
                .length
            : 0;
          n8nCalls[path] = seen > 0 || !tool ? seen : (recorded[tool] ?? 0);
        }
        const observed = { ...sandbox.observe(key, caller), n8nCalls };
        const problems = checkScenarioExpectations(scenario.expect, observed);
        return {
          callId: row?.id ?? null,
          callSid,
          status: row?.status ?? null,
          endReason: row?.endReason ?? null,
          transcript: caller.transcript,
          problems,
          line: {
            frames: call.stream?.stats.framesSent ?? 0,
            maxLateMs: Math.round((call.stream?.stats.maxFrameLateMs ?? 0) * 10) / 10,
          },
        };
      } finally {
        sandbox.removeScenario(key);
      }
    },
  };
}
