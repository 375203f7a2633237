import { eq } from 'drizzle-orm';
import { type DbOrTx, tables } from '../db/index.js';

export type CallMetrics = Omit<typeof tables.callMetrics.$inferSelect, 'callId' | 'tenantId' | 'computedAt'>;

export interface MetricsInput {
  turns: readonly {
    speaker: 'caller' | 'agent';
    startMs: number;
    endMs: number;
    interrupted: boolean;
    metrics: Record<string, unknown> | null;
  }[];
  toolStatuses: readonly string[];
  costsUsd: readonly string[];
}

/** Nearest-rank percentile of sorted values (null for none). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** The turn's latency (caller's end of speech → first agent audio), when the recorder measured one. */
export function turnLatencyMs(metrics: Record<string, unknown> | null): number | null {
  const latency = metrics?.latency as { totalMs?: unknown } | undefined;
  return typeof latency?.totalMs === 'number' && Number.isFinite(latency.totalMs)
    ? Math.max(0, Math.round(latency.totalMs))
    : null;
}

/** A call's metrics from its turns, tool executions and cost lines. Pure. */
export function metricsFrom(input: MetricsInput): CallMetrics {
  let callerTalkMs = 0;
  let agentTalkMs = 0;
  let callerTurns = 0;
  let agentTurns = 0;
  let interruptions = 0;
  const latencies: number[] = [];
  for (const turn of input.turns) {
    const talk = Math.max(0, turn.endMs - turn.startMs);
    if (turn.speaker === 'caller') {
      callerTalkMs += talk;
      callerTurns++;
      continue;
    }
    agentTalkMs += talk;
    agentTurns++;
    if (turn.interrupted) interruptions++;
    const latency = turnLatencyMs(turn.metrics);
    if (latency !== null) latencies.push(latency);
  }
  latencies.sort((a, b) => a - b);
  const toolExecutions: Record<string, number> = {};
  for (const status of input.toolStatuses) toolExecutions[status] = (toolExecutions[status] ?? 0) + 1;
  // Costs are numeric(18,6): add in micro-dollars so the sum is exact.
  const micros = input.costsUsd.reduce((sum, amount) => sum + Math.round(Number(amount) * 1e6), 0);
  return {
    callerTalkMs,
    agentTalkMs,
    callerTurns,
    agentTurns,
    interruptions,
    turnLatencyCount: latencies.length,
    turnLatencySumMs: latencies.reduce((a, b) => a + b, 0),
    turnLatencyP50Ms: percentile(latencies, 0.5),
    turnLatencyP95Ms: percentile(latencies, 0.95),
    toolExecutions,
    toolCalls: input.toolStatuses.length,
    toolSuccesses: toolExecutions.succeeded ?? 0,
    costUsd: (micros / 1e6).toFixed(6),
  };
}

/**
 * Computes and stores a call's metrics from what was recorded. Recomputable at will while the
 * call's content exists; once retention deleted it, the stored metrics are kept as they are.
 */
export async function recomputeCallMetrics(tx: DbOrTx, tenantId: string, callId: string): Promise<void> {
  const [call] = await tx
    .select({ contentDeletedAt: tables.calls.contentDeletedAt })
    .from(tables.calls)
    .where(eq(tables.calls.id, callId));
  if (!call || call.contentDeletedAt) return;
  const turns = await tx
    .select({
      speaker: tables.utterances.speaker,
      startMs: tables.utterances.startMs,
      endMs: tables.utterances.endMs,
      interrupted: tables.utterances.interrupted,
      metrics: tables.utterances.metrics,
    })
    .from(tables.utterances)
    .where(eq(tables.utterances.callId, callId));
  const tools = await tx
    .select({ status: tables.toolExecutions.status })
    .from(tables.toolExecutions)
    .where(eq(tables.toolExecutions.callId, callId));
  const costs = await tx
    .select({ amountUsd: tables.callCosts.amountUsd })
    .from(tables.callCosts)
    .where(eq(tables.callCosts.callId, callId));
  const metrics = metricsFrom({
    turns,
    toolStatuses: tools.map((t) => t.status),
    costsUsd: costs.map((c) => c.amountUsd),
  });
  await tx
    .insert(tables.callMetrics)
    .values({ callId, tenantId, ...metrics, computedAt: new Date() })
    .onConflictDoUpdate({ target: tables.callMetrics.callId, set: { ...metrics, computedAt: new Date() } });
}
