import { asc, desc, eq, sql } from 'drizzle-orm';
import { type DbOrTx, preparedOnce, readAsTenant, tables } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { AppError } from '../lib/errors.js';
import { type CallMetrics, turnLatencyMs } from './call-metrics.js';
import { recordingLink } from './recording-links.js';

/** Internal staff see tool request and response bodies; a client viewer sees what ran and how it went. */
export type CallDetailView = 'internal' | 'client';

const DAY_MS = 86_400_000;

export interface CallDetailRequest {
  tenantId: string;
  callId: string;
  view: CallDetailView;
  /** Who asks: the signed recording link is bound to them. */
  viewer: string;
}

const CALL_ID = sql.placeholder('callId');

/** The statements of a call's detail, one per table, each taking the call id. */
function detailStatements(db: DbOrTx, name: string) {
  return {
    call: db
      .select({
        id: tables.calls.id,
        tenantId: tables.calls.tenantId,
        agentId: tables.calls.agentId,
        agentName: tables.agents.name,
        agentVersionId: tables.calls.agentVersionId,
        agentVersion: tables.agentVersions.version,
        fromNumber: tables.calls.fromNumber,
        toNumber: tables.calls.toNumber,
        transport: tables.calls.transport,
        status: tables.calls.status,
        endReason: tables.calls.endReason,
        outcome: tables.calls.outcome,
        legalHold: tables.calls.legalHold,
        startedAt: tables.calls.startedAt,
        answeredAt: tables.calls.answeredAt,
        endedAt: tables.calls.endedAt,
        durationMs: tables.calls.durationMs,
        contentDeletedAt: tables.calls.contentDeletedAt,
        retentionDays: tables.retentionPolicies.retentionDays,
      })
      .from(tables.calls)
      .leftJoin(tables.agents, eq(tables.agents.id, tables.calls.agentId))
      .leftJoin(tables.agentVersions, eq(tables.agentVersions.id, tables.calls.agentVersionId))
      .leftJoin(tables.retentionPolicies, eq(tables.retentionPolicies.tenantId, tables.calls.tenantId))
      .where(eq(tables.calls.id, CALL_ID))
      .prepare(`${name}_call`),
    recording: db
      .select({
        id: tables.recordings.id,
        contentType: tables.recordings.contentType,
        channels: tables.recordings.channels,
        sampleRate: tables.recordings.sampleRate,
        durationMs: tables.recordings.durationMs,
        sizeBytes: tables.recordings.sizeBytes,
        createdAt: tables.recordings.createdAt,
      })
      .from(tables.recordings)
      .where(eq(tables.recordings.callId, CALL_ID))
      .orderBy(desc(tables.recordings.createdAt))
      .limit(1)
      .prepare(`${name}_recording`),
    events: db
      .select({
        id: tables.callEvents.id,
        type: tables.callEvents.type,
        at: tables.callEvents.at,
        data: tables.callEvents.data,
      })
      .from(tables.callEvents)
      .where(eq(tables.callEvents.callId, CALL_ID))
      .orderBy(asc(tables.callEvents.id))
      .prepare(`${name}_events`),
    turns: db
      .select({
        seq: tables.utterances.seq,
        speaker: tables.utterances.speaker,
        text: tables.utterances.text,
        startMs: tables.utterances.startMs,
        endMs: tables.utterances.endMs,
        interrupted: tables.utterances.interrupted,
        metrics: tables.utterances.metrics,
      })
      .from(tables.utterances)
      .where(eq(tables.utterances.callId, CALL_ID))
      .orderBy(asc(tables.utterances.seq))
      .prepare(`${name}_turns`),
    executions: db
      .select()
      .from(tables.toolExecutions)
      .where(eq(tables.toolExecutions.callId, CALL_ID))
      .orderBy(asc(tables.toolExecutions.startedAt), asc(tables.toolExecutions.id))
      .prepare(`${name}_executions`),
    attempts: db
      .select({ attempt: tables.toolExecutionAttempts })
      .from(tables.toolExecutionAttempts)
      .innerJoin(
        tables.toolExecutions,
        eq(tables.toolExecutions.id, tables.toolExecutionAttempts.executionId),
      )
      .where(eq(tables.toolExecutions.callId, CALL_ID))
      .orderBy(asc(tables.toolExecutionAttempts.executionId), asc(tables.toolExecutionAttempts.attempt))
      .prepare(`${name}_attempts`),
    costs: db
      .select({
        provider: tables.callCosts.provider,
        metric: tables.callCosts.metric,
        quantity: tables.callCosts.quantity,
        unitPriceUsd: tables.callCosts.unitPriceUsd,
        amountUsd: tables.callCosts.amountUsd,
      })
      .from(tables.callCosts)
      .where(eq(tables.callCosts.callId, CALL_ID))
      .orderBy(asc(tables.callCosts.provider), asc(tables.callCosts.metric))
      .prepare(`${name}_costs`),
    metrics: db
      .select()
      .from(tables.callMetrics)
      .where(eq(tables.callMetrics.callId, CALL_ID))
      .prepare(`${name}_metrics`),
    analysis: db
      .select({
        status: tables.callAnalyses.status,
        summary: tables.callAnalyses.summary,
        data: tables.callAnalyses.data,
        success: tables.callAnalyses.success,
        successReason: tables.callAnalyses.successReason,
      })
      .from(tables.callAnalyses)
      .where(eq(tables.callAnalyses.callId, CALL_ID))
      .prepare(`${name}_analysis`),
  };
}

/**
 * Everything about one call, in a fixed number of queries (one per table, none per row): summary,
 * timeline, transcript, tool executions with their attempts, costs, metrics, post-call analysis,
 * recording and retention state.
 */
export async function getCallDetail(deps: Pick<Deps, 'db' | 'now' | 'secrets'>, req: CallDetailRequest) {
  const { tenantId, callId } = req;
  const data = await readAsTenant(deps.db, tenantId, async (db) => {
    const statements = preparedOnce(db, 'call_detail', (name) => detailStatements(db, name));
    const values = { callId };
    const [call] = await statements.call.execute(values);
    if (!call) return null;
    const [recording] = await statements.recording.execute(values);
    const events = await statements.events.execute(values);
    const turns = await statements.turns.execute(values);
    const executions = await statements.executions.execute(values);
    const attempts = await statements.attempts.execute(values);
    const costs = await statements.costs.execute(values);
    const [metrics] = await statements.metrics.execute(values);
    const [analysis] = await statements.analysis.execute(values);
    return { call, recording, events, turns, executions, attempts, costs, metrics, analysis };
  });
  if (!data) throw new AppError('CALL_NOT_FOUND', 'call not found');
  const { call, recording, events, turns, executions, attempts, costs, metrics, analysis } = data;
  const internal = req.view === 'internal';

  const attemptsByExecution = new Map<string, (typeof attempts)[number]['attempt'][]>();
  for (const { attempt } of attempts) {
    const list = attemptsByExecution.get(attempt.executionId) ?? [];
    list.push(attempt);
    attemptsByExecution.set(attempt.executionId, list);
  }
  const policyDays = call.retentionDays ?? null;
  const link =
    recording && !call.contentDeletedAt
      ? recordingLink(deps.secrets, { tenantId, callId, viewer: req.viewer }, deps.now())
      : null;
  const { retentionDays: _days, contentDeletedAt, ...summary } = call;
  const totalMicros = costs.reduce((sum, c) => sum + Math.round(Number(c.amountUsd) * 1e6), 0);

  return {
    view: req.view,
    call: summary,
    metrics: metrics ? metricsView(metrics) : null,
    analysis: analysis ? { ...analysis, data: analysis.data ?? null } : null,
    timeline: events,
    transcript: turns.map(({ metrics: m, ...turn }) => ({ ...turn, latencyMs: turnLatencyMs(m) })),
    toolExecutions: executions.map((e) => {
      const tries = attemptsByExecution.get(e.id) ?? [];
      const base = {
        id: e.id,
        toolName: e.toolName,
        status: e.status,
        turn: e.turn,
        startedAt: e.startedAt,
        finishedAt: e.finishedAt,
        durationMs: e.durationMs,
      };
      if (!internal) {
        return {
          ...base,
          attempts: tries.map((a) => ({
            attempt: a.attempt,
            outcome: a.outcome,
            statusCode: a.statusCode,
            durationMs: a.durationMs,
            startedAt: a.startedAt,
          })),
        };
      }
      return {
        ...base,
        arguments: e.arguments ?? null,
        result: e.result ?? null,
        error: e.error ?? null,
        attempts: tries.map((a) => ({
          attempt: a.attempt,
          outcome: a.outcome,
          statusCode: a.statusCode,
          errorClass: a.errorClass,
          durationMs: a.durationMs,
          startedAt: a.startedAt,
          request: a.request ?? null,
          response: a.response ?? null,
        })),
      };
    }),
    costs: { lines: costs, totalUsd: (totalMicros / 1e6).toFixed(6) },
    recording: recording ?? null,
    recordingUrl: link?.url ?? null,
    recordingUrlExpiresAt: link?.expiresAt ?? null,
    retention: {
      policyDays,
      expiresAt:
        call.endedAt && policyDays !== null ? new Date(call.endedAt.getTime() + policyDays * DAY_MS) : null,
      onLegalHold: call.legalHold,
      deletedAt: contentDeletedAt,
    },
  };
}

function metricsView(m: typeof tables.callMetrics.$inferSelect): CallMetrics & { computedAt: Date } {
  const { callId: _c, tenantId: _t, ...rest } = m;
  return rest;
}
