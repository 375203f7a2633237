import { APIStatusError, isTimedString, type TimedString, tts } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { type RimeEmulator, startRimeEmulator, transcribeSpeech } from '@switchboard/sandbox';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAgentsLogger } from './agents-logger.js';
import { rimeLang } from './rime-options.js';
import { RimeTTS } from './rime-tts.js';

let rime: RimeEmulator;

beforeAll(async () => {
  installAgentsLogger(pino({ level: 'silent' }));
  rime = await startRimeEmulator({ acceptAnyKey: true });
});
afterAll(async () => {
  await rime.close();
});

function tts8kOptions(apiKey: string, transport: 'http' | 'ws3' = 'http') {
  return {
    apiKey,
    baseUrl: rime.url,
    wsUrl: rime.wsUrl,
    transport,
    speaker: 'cove',
    modelId: 'mistv2',
    sampleRate: 8000,
  };
}

function tts8k(apiKey: string, transport: 'http' | 'ws3' = 'http'): RimeTTS {
  return new RimeTTS(tts8kOptions(apiKey, transport));
}

function pcmOf(frames: AudioFrame[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.samplesPerChannel, 0));
  let offset = 0;
  for (const frame of frames) {
    out.set(frame.data, offset);
    offset += frame.samplesPerChannel;
  }
  return out;
}

describe('RimeTTS over HTTP', () => {
  it('streams 20 ms PCM frames at 8 kHz that carry the sentence', async () => {
    const frames: AudioFrame[] = [];
    for await (const audio of tts8k('http-ok').synthesize('Hello, how can I help?')) frames.push(audio.frame);
    expect(frames.length).toBeGreaterThan(10);
    expect(frames.every((f) => f.sampleRate === 8000)).toBe(true);
    expect(frames.slice(0, -1).every((f) => f.samplesPerChannel === 160)).toBe(true);
    expect(transcribeSpeech(pcmOf(frames), 8000)).toEqual(['hello, how can i help?']);
    expect(rime.usage('http-ok').characters).toBe('Hello, how can I help?'.length);
  });

  it('retries a 500, then reports it as an unrecoverable TTS error without audio', async () => {
    rime.setFaults('http-500', { serverError: { status: 500 } });
    const rimeTts = tts8k('http-500');
    const errors: { recoverable: boolean; error: Error }[] = [];
    rimeTts.on('error', (e) => errors.push(e));
    const frames: AudioFrame[] = [];
    const stream = rimeTts.synthesize('Hi.', { maxRetry: 2, retryIntervalMs: 1, timeoutMs: 1000 });
    for await (const audio of stream) frames.push(audio.frame);
    expect(frames).toHaveLength(0);
    expect(rime.requests('http-500')).toHaveLength(3);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.recoverable).toBe(false);
    expect(errors[0]!.error).toBeInstanceOf(APIStatusError);
    expect((errors[0]!.error as APIStatusError).statusCode).toBe(500);
  });

  it('succeeds when a retry gets through', async () => {
    rime.setFaults('http-500-once', { serverError: { status: 503, firstRequests: 1 } });
    const frames: AudioFrame[] = [];
    const stream = tts8k('http-500-once').synthesize('Okay.', {
      maxRetry: 2,
      retryIntervalMs: 1,
      timeoutMs: 1000,
    });
    for await (const audio of stream) frames.push(audio.frame);
    expect(transcribeSpeech(pcmOf(frames), 8000)).toEqual(['okay.']);
  });
});

describe('RimeTTS over /ws3', () => {
  it('streams a reply sentence by sentence with word timestamps', async () => {
    const stream = tts8k('ws-ok', 'ws3').stream();
    stream.pushText('Hi there. ');
    stream.pushText('How can I help?');
    stream.endInput();
    const frames: AudioFrame[] = [];
    const timed: TimedString[] = [];
    for await (const audio of stream) {
      if (audio === tts.SynthesizeStream.END_OF_STREAM) break;
      frames.push(audio.frame);
      const words = audio.frame.userdata['lk.timed_transcripts'];
      if (Array.isArray(words)) timed.push(...words.filter(isTimedString));
    }
    expect(transcribeSpeech(pcmOf(frames), 8000)).toEqual(['hi there.', 'how can i help?']);
    expect(timed.map((t) => t.text.trim())).toEqual(['Hi', 'there.', 'How', 'can', 'I', 'help?']);
    // The second sentence's words are placed after the first sentence's audio.
    const secondStart = timed[2]!.startTime!;
    expect(secondStart).toBeGreaterThan(timed[1]!.endTime!);
    const totalSeconds = frames.reduce((s, f) => s + f.samplesPerChannel / 8000, 0);
    expect(timed.at(-1)!.endTime!).toBeLessThanOrEqual(totalSeconds + 0.001);
  });
});

describe('Rime lang from the agent language', () => {
  it('maps BCP 47 tags to the codes Rime documents', () => {
    expect(['en-US', 'es-US', 'es', 'fr', 'de', 'xx'].map(rimeLang)).toEqual([
      'eng',
      'spa',
      'spa',
      'fra',
      'ger',
      undefined,
    ]);
  });

  it('sends lang over HTTP and /ws3 for a Spanish agent', async () => {
    const spanish = (apiKey: string, transport: 'http' | 'ws3') =>
      new RimeTTS({ ...tts8kOptions(apiKey, transport), lang: rimeLang('es-US') });
    for await (const _audio of spanish('lang-http', 'http').synthesize('Hola.')) {
      // drain
    }
    const stream = spanish('lang-ws3', 'ws3').stream();
    stream.pushText('Hola.');
    stream.endInput();
    for await (const audio of stream) if (audio === tts.SynthesizeStream.END_OF_STREAM) break;
    expect(rime.requests('lang-http').map((r) => [r.status, r.lang])).toEqual([[200, 'spa']]);
    expect(rime.requests('lang-ws3')[0]?.lang).toBe('spa');
  });
});
