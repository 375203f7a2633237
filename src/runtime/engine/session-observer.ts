import { type llm, voice } from '@livekit/agents';
import type { CallRecorder, TurnLatency, TurnStages, UtteranceRecord } from '../recorder/call-recorder.js';
import { usageEntries } from '../recorder/usage.js';

export interface SessionObserverOptions {
  /** The STT's billed audio, measured at the line (see usageEntries). */
  sttAudio: () => { model: string; seconds: number };
  /** Epoch ms the call was answered; utterance offsets count from it. */
  answeredAt: () => number;
  onCallerTurn: () => void;
  /** Epoch ms of the caller's last voiced audio frame so far (the transport measures it). */
  callerAudioEndAt: () => number | undefined;
  /** Epoch ms now, on the clock the session's own timestamps use. */
  now: () => number;
}

/** A committed caller turn, waiting for the agent's answer. */
export interface CallerTurn {
  metrics: llm.MetricsReport;
  /** Epoch ms: the caller's last voiced frame, their last final transcript, the turn's commit. */
  audioEndAt: number | undefined;
  sttFinalAt: number | undefined;
  committedAt: number;
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
  let pendingCallerTurn: CallerTurn | undefined;
  let lastFinalAt: number | undefined;

  session.on(voice.AgentSessionEventTypes.UserInputTranscribed, (ev) => {
    if (ev.isFinal) lastFinalAt = options.now();
  });

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
      pendingCallerTurn = {
        metrics: item.metrics,
        audioEndAt: options.callerAudioEndAt(),
        sttFinalAt: lastFinalAt,
        committedAt: options.now(),
      };
      options.onCallerTurn();
    } else {
      if (pendingCallerTurn) {
        utterance.latency = turnLatency(pendingCallerTurn, item.metrics, options.answeredAt());
      }
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

/**
 * The caller's last audio frame → first agent audio on the line, with the stages in between. The
 * LLM's first token and the TTS's first audio are placed from the session's per-turn durations (the
 * LLM's from the turn's commit, the TTS's from the first text it was given).
 */
export function turnLatency(
  caller: CallerTurn,
  agent: llm.MetricsReport,
  answeredAt: number,
): TurnLatency | undefined {
  const agentStart = agent.startedSpeakingAt === undefined ? undefined : agent.startedSpeakingAt * 1000;
  const stoppedAt = caller.metrics.stoppedSpeakingAt;
  const audioEnd = caller.audioEndAt ?? (stoppedAt === undefined ? undefined : stoppedAt * 1000);
  let totalMs: number | null;
  if (agentStart !== undefined && audioEnd !== undefined && agentStart >= audioEnd) {
    totalMs = Math.round(agentStart - audioEnd);
  } else {
    totalMs = ms(agent.e2eLatency);
  }
  if (totalMs === null) return undefined;
  const llmMs = ms(agent.llmNodeTtft);
  const ttsMs = ms(agent.ttsNodeTtfb);
  const llmFirstToken = llmMs === null ? undefined : caller.committedAt + llmMs;
  const ttsFirstAudio = llmFirstToken === undefined || ttsMs === null ? undefined : llmFirstToken + ttsMs;
  const at = (epochMs: number | undefined) =>
    epochMs === undefined ? null : Math.max(0, Math.round(epochMs - answeredAt));
  const stages: TurnStages = {
    callerAudioEndMs: at(audioEnd),
    sttFinalMs: at(caller.sttFinalAt),
    llmFirstTokenMs: at(llmFirstToken),
    ttsFirstAudioMs: at(ttsFirstAudio),
    agentAudioStartMs: at(agentStart),
  };
  return {
    totalMs,
    // End of the caller's audio → the turn handed to the LLM: STT final and endpointing.
    sttMs:
      audioEnd === undefined ? ms(caller.metrics.endOfTurnDelay) : Math.round(caller.committedAt - audioEnd),
    llmMs,
    ttsMs,
    stages,
  };
}

function errorMessage(error: { message?: string; error?: unknown }): string {
  if (error.error instanceof Error) return error.error.message;
  return error.message ?? 'unknown error';
}
