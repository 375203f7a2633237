import * as openai from '@livekit/agents-plugin-openai';
import { openAiRequestParameters } from '../../control/index.js';
import type { CallAgentConfig } from '../call-context.js';
import { DeepgramSTT } from './deepgram-stt.js';
import type { ProviderKeys, ProviderSettings } from './provider-settings.js';
import { rimeLang } from './rime-options.js';
import { RimeTTS } from './rime-tts.js';

export interface CallProviders {
  stt: DeepgramSTT;
  llm: openai.LLM;
  tts: RimeTTS;
}

/** The STT, LLM and TTS for one call, at the line's sample rate so no audio is resampled. */
export function buildProviders(
  settings: ProviderSettings,
  keys: ProviderKeys,
  config: CallAgentConfig,
  sampleRate: number,
): CallProviders {
  return {
    stt: new DeepgramSTT({
      apiKey: keys.deepgram,
      baseUrl: settings.deepgram.url,
      model: config.stt.model,
      language: config.language,
      sampleRate,
      endpointingMs: config.stt.endpointingMs,
    }),
    llm: new openai.LLM({
      apiKey: keys.openai,
      baseURL: settings.openai.baseUrl,
      model: config.llm.model,
      // Only what the model accepts: a reasoning model refuses any temperature but 1.
      ...openAiRequestParameters(config.llm.model, config.llm),
    }),
    tts: new RimeTTS({
      apiKey: keys.rime,
      baseUrl: settings.rime.url,
      wsUrl: settings.rime.wsUrl,
      transport: settings.rime.transport,
      speaker: config.voice.speaker,
      modelId: config.voice.model,
      lang: rimeLang(config.language),
      sampleRate,
    }),
  };
}
