import { stt } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import {
  concatPcm,
  type DeepgramEmulator,
  silence,
  startDeepgramEmulator,
  synthesizeSpeech,
} from '@switchboard/sandbox';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAgentsLogger } from './agents-logger.js';
import { DeepgramSTT } from './deepgram-stt.js';

let deepgram: DeepgramEmulator;
beforeAll(async () => {
  installAgentsLogger(pino({ level: 'silent' }));
  deepgram = await startDeepgramEmulator({ acceptAnyKey: true });
});
afterAll(() => deepgram.close());

describe('DeepgramSTT end of turn', () => {
  it('asks for UtteranceEnd and ends the turn on it when speech_final never comes (noise)', async () => {
    deepgram.setFaults('dg-noise', { noEndpoint: true });
    const recognizer = new DeepgramSTT({
      apiKey: 'dg-noise',
      baseUrl: deepgram.wsUrl,
      model: 'nova-3',
      language: 'en-US',
      sampleRate: 8000,
      endpointingMs: 300,
    });
    const stream = recognizer.stream();
    const pcm = concatPcm([
      silence(100, 8000),
      synthesizeSpeech('is anyone there?', 8000),
      silence(1600, 8000),
    ]);
    for (let i = 0; i < pcm.length; i += 160) {
      const chunk = pcm.slice(i, i + 160);
      stream.pushFrame(new AudioFrame(chunk, 8000, 1, chunk.length));
    }
    const seen: string[] = [];
    for await (const event of stream) {
      if (event.type === stt.SpeechEventType.FINAL_TRANSCRIPT)
        seen.push(`final:${event.alternatives?.[0]?.text}`);
      if (event.type === stt.SpeechEventType.END_OF_SPEECH) {
        seen.push('end');
        break;
      }
    }
    stream.close();
    expect(seen).toEqual(['final:is anyone there?', 'end']);
    expect(deepgram.connections('dg-noise')[0]?.query).toMatchObject({ utterance_end_ms: '1000' });
  });
});
