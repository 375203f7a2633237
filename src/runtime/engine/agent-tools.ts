import { llm } from '@livekit/agents';
import { type ExecuteToolRequest, outcomeForModel, type ToolOutcome } from '../../gateway/index.js';
import type { CallContext } from '../call-context.js';

/** Runs one tool call through the Automation Gateway (`executeTool` bound to its dependencies). */
export type ToolExecutor = (
  request: ExecuteToolRequest,
  options: { signal?: AbortSignal },
) => Promise<ToolOutcome>;

export const END_CALL_TOOL = 'end_call';
export const SET_OUTCOME_TOOL = 'set_outcome';

type ToolEntry = llm.ToolContextEntry;
/** The gateway checks arguments against the tool's own JSON Schema, which the LLM is given as is. */
type JsonSchemaParameters = NonNullable<Parameters<typeof llm.tool>[0]['parameters']>;

export interface AgentToolsOptions {
  execute: ToolExecutor;
  /** The caller turn a tool call belongs to (tool executions are recorded with it). */
  turn: () => number;
  /** Said once if a tool has not answered within `fillerDelayMs`. */
  fillerPhrase: string;
  fillerDelayMs: number;
  /** Speaks a phrase (queued after what the agent is saying). */
  say: (phrase: string) => void;
  /** A gateway tool started (+1) or finished (-1): the silence timer is paused while any runs. */
  onToolRunning: (delta: 1 | -1) => void;
  onToolOutcome: (name: string, outcome: ToolOutcome) => void;
  onEndCall: () => void;
  /** The agent reported the call's outcome (one of the version's `outcomeLabels`). */
  onOutcome: (label: string) => void;
}

/**
 * The LLM's tools for one call: every tool of the agent version, each run through the gateway
 * (which validates, calls n8n, retries and records attempts), plus `end_call` for hanging up.
 */
export function agentTools(ctx: CallContext, options: AgentToolsOptions): ToolEntry[] {
  const tools: ToolEntry[] = ctx.config.tools.map((tool) =>
    llm.tool({
      name: tool.name,
      description: tool.description,
      parameters: tool.inputSchema as JsonSchemaParameters,
      execute: async (args: unknown, { abortSignal }) => {
        const request: ExecuteToolRequest = {
          tenantId: ctx.tenantId,
          tool,
          arguments: args,
          context: { callId: ctx.callId, turn: options.turn(), test: ctx.config.testCall === true },
        };
        // Not `RunContext.filler`: its scheduler loops on `session.waitForIdle()`, and in
        // @livekit/agents 1.9.0 every pass of that loop leaves an abort listener on the activity's
        // signal (`waitForOrAbort`), dozens per slow tool, past Node's MaxListeners warning.
        const filler = setTimeout(() => options.say(options.fillerPhrase), options.fillerDelayMs);
        options.onToolRunning(1);
        try {
          const outcome = await options.execute(request, { signal: abortSignal });
          options.onToolOutcome(tool.name, outcome);
          return outcomeForModel(outcome);
        } finally {
          clearTimeout(filler);
          options.onToolRunning(-1);
        }
      },
    }),
  );
  if (!ctx.config.tools.some((t) => t.name === END_CALL_TOOL)) {
    tools.push(
      llm.tool({
        name: END_CALL_TOOL,
        description:
          'Hang up the phone call. Call it once the caller has nothing more to ask, after saying goodbye.',
        execute: async () => {
          options.onEndCall();
          return 'The call ends once your last words have been played.';
        },
      }),
    );
  }
  const labels = ctx.config.outcomeLabels ?? [];
  if (labels.length > 0 && !ctx.config.tools.some((t) => t.name === SET_OUTCOME_TOOL)) {
    tools.push(
      llm.tool({
        name: SET_OUTCOME_TOOL,
        description: 'Record how the call turned out, once it is clear. Call it at most once.',
        parameters: {
          type: 'object',
          properties: { label: { type: 'string', enum: labels } },
          required: ['label'],
          additionalProperties: false,
        } as JsonSchemaParameters,
        execute: async (args: { label?: unknown }) => {
          const label = typeof args.label === 'string' ? args.label : '';
          if (!labels.includes(label)) return `Unknown outcome; use one of: ${labels.join(', ')}.`;
          options.onOutcome(label);
          return 'Outcome recorded.';
        },
      }),
    );
  }
  return tools;
}
