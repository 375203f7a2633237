import { type llm, voice } from '@livekit/agents';
import type { CallRecorder, TurnLatency, UtteranceRecord } from '../recorder/call-recorder.js';
import { usageEntries } from '../recorder/usage.js';

export interface SessionObserverOptions {
  /** The STT's billed audio, measured at the line (see usageEntries). */
  sttAudio: () => { model: string; seconds: number };
  /** Epoch ms the call was answered; utterance offsets count from it. */
  answeredAt: () => number;
  onCallerTurn: () => void;
}

/**
 * Reports what the session does to the recorder as it happens: each committed caller and agent
 * turn (with what was heard of an interrupted one and the latency of the answer), tool calls,
 * provider errors and cumulative usage.
 */
export function observeSession(
  session: voice.AgentSession,
  recorder: CallRecorder,
  options: SessionObserverOptions,
): void {
  let pendingCallerTurn: llm.MetricsReport | undefined;

  session.on(voice.AgentSessionEventTypes.ConversationItemAdded, (ev) => {
    const item = ev.item;
    if (item.type !== 'message' || (item.role !== 'user' && item.role !== 'assistant')) return;
    const text = (item.textContent ?? '').trim();
    if (!text) return;
    const speaker = item.role === 'user' ? 'caller' : 'agent';
    const utterance: UtteranceRecord = {
      speaker,
      text,
      ...offsets(item, options.answeredAt()),
      interrupted: item.interrupted,
    };
    if (speaker === 'caller') {
      pendingCallerTurn = item.metrics;
      options.onCallerTurn();
    } else {
      if (pendingCallerTurn) utterance.latency = turnLatency(pendingCallerTurn, item.metrics);
      pendingCallerTurn = undefined;
      if (item.interrupted) recorder.event('agent_interrupted', { heardChars: text.length });
    }
    recorder.utterance(utterance);
  });

  session.on(voice.AgentSessionEventTypes.FunctionToolsExecuted, (ev) => {
    ev.functionCalls.forEach((call, i) => {
      const output = ev.functionCallOutputs[i];
      recorder.event('tool_called', {
        name: call.name,
        toolCallId: call.callId,
        isError: output?.isError ?? false,
      });
    });
  });

  session.on(voice.AgentSessionEventTypes.Error, (ev) => {
    const { error } = ev;
    recorder.event('provider_error', {
      kind: error.type,
      recoverable: 'recoverable' in error ? error.recoverable : false,
      label: 'label' in error ? String(error.label) : undefined,
      message: errorMessage(error),
    });
  });

  session.on(voice.AgentSessionEventTypes.SessionUsageUpdated, (ev) => {
    recorder.usage(usageEntries(ev.usage.modelUsage, options.sttAudio()));
  });
}

function offsets(item: llm.ChatMessage, answeredAt: number): { startMs: number; endMs: number } {
  const startedAt = item.metrics.startedSpeakingAt;
  const stoppedAt = item.metrics.stoppedSpeakingAt;
  const start = startedAt === undefined ? item.createdAt : startedAt * 1000;
  const end = stoppedAt === undefined ? Math.max(start, item.createdAt) : stoppedAt * 1000;
  return {
    startMs: Math.max(0, Math.round(start - answeredAt)),
    endMs: Math.max(0, Math.round(end - answeredAt)),
  };
}

const ms = (seconds: number | undefined): number | null =>
  seconds === undefined || !Number.isFinite(seconds) ? null : Math.round(seconds * 1000);

/** End of caller speech → first agent audio (e2e), split into endpointing/STT, LLM and TTS parts. */
export function turnLatency(caller: llm.MetricsReport, agent: llm.MetricsReport): TurnLatency | undefined {
  const totalMs = ms(agent.e2eLatency);
  if (totalMs === null) return undefined;
  return {
    totalMs,
    sttMs: ms(caller.endOfTurnDelay ?? caller.transcriptionDelay),
    llmMs: ms(agent.llmNodeTtft),
    ttsMs: ms(agent.ttsNodeTtfb),
  };
}

function errorMessage(error: { message?: string; error?: unknown }): string {
  if (error.error instanceof Error) return error.error.message;
  return error.message ?? 'unknown error';
}
