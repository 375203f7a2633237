/** Provider usage in the units the price table uses. */
export interface ModelUsageEntry {
  provider: 'deepgram' | 'openai' | 'rime';
  model: string;
  metric: 'audio_seconds' | 'input_tokens' | 'cached_input_tokens' | 'output_tokens' | 'characters';
  quantity: number;
}

interface LivekitModelUsage {
  type?: string;
  model?: string;
  audioDurationMs?: number;
  inputTokens?: number;
  inputCachedTokens?: number;
  outputTokens?: number;
  charactersCount?: number;
}

/**
 * The session's cumulative model usage (`session.usage.modelUsage`) as priced quantities. Each stage
 * has one provider here, so the stage names it (the plugins report hosts, which the sandbox changes).
 * `sttAudioSeconds` replaces the STT's own report: the Deepgram plugin reports streamed audio only
 * every 5 s, so the last seconds of every call would go unbilled; the audio the line delivered to
 * the STT is what Deepgram meters.
 */
export function usageEntries(
  modelUsage: readonly LivekitModelUsage[],
  sttAudioSeconds?: { model: string; seconds: number },
): ModelUsageEntry[] {
  const out: ModelUsageEntry[] = [];
  const add = (
    provider: ModelUsageEntry['provider'],
    model: string,
    metric: ModelUsageEntry['metric'],
    q = 0,
  ) => {
    if (q > 0) out.push({ provider, model, metric, quantity: q });
  };
  for (const u of modelUsage) {
    const model = u.model ?? 'unknown';
    if (u.type === 'stt_usage' && !sttAudioSeconds) {
      add('deepgram', model, 'audio_seconds', (u.audioDurationMs ?? 0) / 1000);
    }
    if (u.type === 'tts_usage') add('rime', model, 'characters', u.charactersCount);
    if (u.type === 'llm_usage') {
      const cached = u.inputCachedTokens ?? 0;
      add('openai', model, 'input_tokens', (u.inputTokens ?? 0) - cached);
      add('openai', model, 'cached_input_tokens', cached);
      add('openai', model, 'output_tokens', u.outputTokens);
    }
  }
  if (sttAudioSeconds) add('deepgram', sttAudioSeconds.model, 'audio_seconds', sttAudioSeconds.seconds);
  return out;
}
