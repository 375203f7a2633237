import { HUMAN_WORDS_PER_MINUTE, type SpeechPace } from '../audio/index.js';
import type { LlmLatency } from '../openai/handle-chat-completion.js';

/**
 * How fast a sandbox call goes: the pace of tone speech (caller and agent) and the providers'
 * latencies. A scenario's own fault knobs (`faults.deepgram.resultDelayMs`,
 * `faults.llm.firstTokenDelayMs` / `tokensPerSecond`, `faults.rime.firstByteDelayMs`) override these.
 */
export interface SandboxPace {
  /** Tone speech of the simulated caller and of the agent's TTS. */
  speech: SpeechPace;
  /** Deepgram: every message (so the final after the endpoint) arrives this much later. */
  sttResultDelayMs: number;
  /** OpenAI: time to first token and output speed. */
  llm: LlmLatency;
  /** Rime: time to the first audio of each synthesis. */
  ttsFirstAudioMs: number;
}

export type SandboxPaceName = 'human' | 'fast';

export const SANDBOX_PACES: Readonly<Record<SandboxPaceName, SandboxPace>> = {
  /**
   * A real call: people speak about 150 words a minute; Deepgram streaming returns results in
   * under 300 ms; gpt-4.1-mini's first token takes about half a second, then some 80 tokens a
   * second (Artificial Analysis); Rime's cloud API streams first audio in under 200 ms.
   */
  human: {
    speech: { wordsPerMinute: HUMAN_WORDS_PER_MINUTE },
    sttResultDelayMs: 300,
    llm: { firstTokenMs: 500, tokensPerSecond: 80 },
    ttsFirstAudioMs: 200,
  },
  /** The test suite's pace: 20 ms a character (about 500 words a minute) and no added latency. */
  fast: { speech: {}, sttResultDelayMs: 0, llm: {}, ttsFirstAudioMs: 0 },
};
