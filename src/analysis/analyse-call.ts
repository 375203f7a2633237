import { and, asc, eq } from 'drizzle-orm';
import { finalizeCall } from '../analytics/index.js';
import { type AnalysisSettings, analysisSettings } from '../control/agents/agent-config.js';
import { tables, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { ToolSchemaCompiler } from '../lib/tool-json-schema.js';
import { type ProviderSettings, providerKeysFor } from '../runtime/providers/provider-settings.js';
import { costLines, type PriceTable } from '../runtime/recorder/price-table.js';
import type { ModelUsageEntry } from '../runtime/recorder/usage.js';
import type { ClaimedAnalysis } from './queue.js';

export interface AnalysisSettingsForWorker {
  providers: Pick<ProviderSettings, 'openai' | 'sandboxKeys'>;
  /** The API key analyses use; by default the one the call's own LLM used. */
  apiKey: string | undefined;
  prices: PriceTable;
  maxAttempts: number;
  /** Wait before attempt n+1: backoffMs × 2^(n-1). */
  backoffMs: number;
  requestTimeoutMs: number;
}

export type AnalysisResult = { status: 'done' | 'skipped' | 'failed' | 'retry'; error?: string };

type Schema = Record<string, unknown>;

const compiler = new ToolSchemaCompiler();
const EMPTY_DATA_SCHEMA: Schema = {
  type: 'object',
  properties: {},
  required: [],
  additionalProperties: false,
};

/** The JSON Schema the model answers with: a summary, the agent's fields, and the verdict. */
export function analysisSchema(dataSchema: Schema | undefined): Schema {
  return {
    type: 'object',
    properties: {
      summary: {
        type: 'string',
        description: 'two or three sentences on what the call was about and how it ended',
      },
      data: dataSchema ?? EMPTY_DATA_SCHEMA,
      success: { type: 'boolean', description: 'whether the call was a success by the rubric' },
      success_reason: { type: 'string', description: 'one sentence on why' },
    },
    required: ['summary', 'data', 'success', 'success_reason'],
    additionalProperties: false,
  };
}

/** Whether OpenAI's strict mode accepts the schema: every object closed and every property required. */
export function isStrictCompatible(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(isStrictCompatible);
  if (typeof schema !== 'object' || schema === null) return true;
  const s = schema as Schema;
  if (s.type === 'object' || s.properties) {
    const keys = Object.keys((s.properties as Schema | undefined) ?? {});
    const required = new Set((s.required as string[] | undefined) ?? []);
    if (s.additionalProperties !== false || !keys.every((k) => required.has(k))) return false;
  }
  return Object.values(s).every(isStrictCompatible);
}

function systemPrompt(settings: AnalysisSettings): string {
  return [
    'You analyse a finished phone call between an AI voice agent and a caller; the user message is its transcript.',
    'Answer with a short summary, the requested fields taken only from what was said, and a success verdict.',
    settings.successRubric
      ? `Success rubric: ${settings.successRubric}`
      : 'A call is a success when the caller got what they called for.',
  ].join('\n');
}

/** What one call's analysis is given: its turns and the agent's analysis settings and model. */
async function loadInput(deps: Pick<Deps, 'db'>, job: ClaimedAnalysis) {
  return withTenant(deps.db, job.tenantId, async (tx) => {
    const [call] = await tx
      .select({
        twilioCallSid: tables.calls.twilioCallSid,
        contentDeletedAt: tables.calls.contentDeletedAt,
        versionConfig: tables.agentVersions.config,
        draft: tables.agents.draft,
      })
      .from(tables.calls)
      .leftJoin(tables.agentVersions, eq(tables.agentVersions.id, tables.calls.agentVersionId))
      .leftJoin(tables.agents, eq(tables.agents.id, tables.calls.agentId))
      .where(eq(tables.calls.id, job.callId));
    if (!call) return undefined;
    const turns = await tx
      .select({ speaker: tables.utterances.speaker, text: tables.utterances.text })
      .from(tables.utterances)
      .where(eq(tables.utterances.callId, job.callId))
      .orderBy(asc(tables.utterances.seq));
    const config = (call.versionConfig ?? call.draft ?? {}) as {
      analysis?: AnalysisSettings;
      llm?: { model?: string };
    };
    return { call, turns, settings: analysisSettings(config), model: config.llm?.model ?? 'gpt-4.1-mini' };
  });
}

interface Completion {
  content: string;
  usage: {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number };
  };
}

async function complete(
  settings: AnalysisSettingsForWorker,
  apiKey: string,
  body: Record<string, unknown>,
  signal: AbortSignal,
): Promise<Completion> {
  // One listener on the worker's signal per request, removed after (AbortSignal.any would pile them up).
  const request = new AbortController();
  const onStop = () => request.abort(signal.reason);
  signal.addEventListener('abort', onStop, { once: true });
  const timer = setTimeout(
    () => request.abort(new Error(`no answer within ${settings.requestTimeoutMs} ms`)),
    settings.requestTimeoutMs,
  );
  let text: string;
  try {
    const res = await fetch(`${settings.providers.openai.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: request.signal,
    });
    text = await res.text();
    if (!res.ok) throw new Error(`OpenAI answered ${res.status}: ${text.slice(0, 300)}`);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onStop);
  }
  const json = JSON.parse(text) as {
    choices?: { message?: { content?: string | null; refusal?: string | null } }[];
    usage?: Completion['usage'];
  };
  const message = json.choices?.[0]?.message;
  if (message?.refusal) throw new Error(`the model refused: ${message.refusal.slice(0, 300)}`);
  if (typeof message?.content !== 'string') throw new Error('the completion has no content');
  return { content: message.content, usage: json.usage ?? {} };
}

/**
 * Analyses one claimed call: one chat completion with the transcript asking for structured output,
 * the answer validated against the schema, then the result and its token cost stored together and
 * the call's metrics and KPIs refreshed. A call with no caller speech (or analysis turned off) is
 * skipped without asking the model. A failure leaves the call untouched and the row to be retried.
 */
export async function analyseCall(
  deps: Pick<Deps, 'db' | 'now' | 'log'>,
  settings: AnalysisSettingsForWorker,
  job: ClaimedAnalysis,
  signal: AbortSignal,
): Promise<AnalysisResult> {
  const stillClaimed = and(
    eq(tables.callAnalyses.callId, job.callId),
    eq(tables.callAnalyses.status, 'running'),
    eq(tables.callAnalyses.attempts, job.attempt),
  );
  const finish = (values: Partial<typeof tables.callAnalyses.$inferInsert>) =>
    withTenant(deps.db, job.tenantId, (tx) =>
      tx
        .update(tables.callAnalyses)
        .set({ ...values, updatedAt: deps.now() })
        .where(stillClaimed),
    );

  let model: string | null = null;
  try {
    const input = await loadInput(deps, job);
    const said = input?.turns.filter((t) => t.text.trim() !== '') ?? [];
    if (
      !input ||
      input.call.contentDeletedAt ||
      !input.settings.enabled ||
      !said.some((t) => t.speaker === 'caller')
    ) {
      await finish({ status: 'skipped', error: null });
      return { status: 'skipped' };
    }
    model = input.model;
    const schema = analysisSchema(input.settings.dataSchema);
    const compiled = compiler.compile(schema);
    if (!compiled.ok) throw new Error(`the analysis schema does not compile: ${compiled.error}`);
    const transcript = said
      .map((t) => `${t.speaker === 'caller' ? 'Caller' : 'Agent'}: ${t.text}`)
      .join('\n');
    const apiKey =
      settings.apiKey ??
      providerKeysFor(settings.providers as ProviderSettings, input.call.twilioCallSid).openai;
    const answer = await complete(
      settings,
      apiKey,
      {
        model,
        temperature: 0,
        messages: [
          { role: 'system', content: systemPrompt(input.settings) },
          { role: 'user', content: transcript },
        ],
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'call_analysis', schema, strict: isStrictCompatible(schema) },
        },
      },
      signal,
    );
    const parsed = JSON.parse(answer.content) as unknown;
    if (!compiled.value(parsed)) {
      const first = compiled.value.errors?.[0];
      throw new Error(
        `the answer does not match the schema: ${first?.instancePath || '/'} ${first?.message ?? ''}`,
      );
    }
    const result = parsed as {
      summary: string;
      data: Record<string, unknown>;
      success: boolean;
      success_reason: string;
    };
    const cached = answer.usage.prompt_tokens_details?.cached_tokens ?? 0;
    const usage: ModelUsageEntry[] = [
      {
        provider: 'openai',
        model,
        metric: 'input_tokens',
        quantity: (answer.usage.prompt_tokens ?? 0) - cached,
      },
      { provider: 'openai', model, metric: 'cached_input_tokens', quantity: cached },
      { provider: 'openai', model, metric: 'output_tokens', quantity: answer.usage.completion_tokens ?? 0 },
    ].filter((e) => e.quantity > 0) as ModelUsageEntry[];
    // Priced as the model's tokens, kept apart from the call's own conversation tokens in the ledger.
    const lines = costLines(usage, settings.prices).map((l) => ({ ...l, metric: `analysis_${l.metric}` }));
    const stored = await withTenant(deps.db, job.tenantId, async (tx) => {
      const updated = await tx
        .update(tables.callAnalyses)
        .set({
          status: 'done',
          summary: result.summary,
          data: result.data,
          success: result.success,
          successReason: result.success_reason,
          model,
          error: null,
          updatedAt: deps.now(),
        })
        .where(stillClaimed)
        .returning({ callId: tables.callAnalyses.callId });
      // Another worker took the row over (our lease ran out): it stores the result, not us.
      if (updated.length === 0) return false;
      if (lines.length > 0) {
        await tx.insert(tables.callCosts).values(
          lines.map((l) => ({
            tenantId: job.tenantId,
            callId: job.callId,
            provider: l.provider,
            metric: l.metric,
            quantity: l.quantity.toFixed(6),
            unitPriceUsd: l.unitPriceUsd.toFixed(8),
            amountUsd: l.amountUsd.toFixed(6),
          })),
        );
      }
      return true;
    });
    // The cost and the verdict changed: the call's metrics and its day's KPIs are rebuilt as at the
    // call's end (which queues nothing new: the analysis row exists).
    if (stored) await finalizeCall(deps, { id: job.callId, tenantId: job.tenantId });
    return { status: 'done' };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (signal.aborted) {
      // Shutting down: the attempt does not count, the next start picks the row up again.
      await finish({ status: 'pending', attempts: job.attempt - 1, nextAttemptAt: deps.now() }).catch(
        () => {},
      );
      return { status: 'retry', error: message };
    }
    deps.log.warn({ callId: job.callId, attempt: job.attempt, err: message }, 'call analysis failed');
    if (job.attempt >= settings.maxAttempts) {
      await finish({ status: 'failed', error: message, model });
      return { status: 'failed', error: message };
    }
    const delay = settings.backoffMs * 2 ** (job.attempt - 1);
    await finish({
      status: 'pending',
      error: message,
      model,
      nextAttemptAt: new Date(deps.now().getTime() + delay),
    });
    return { status: 'retry', error: message };
  }
}
