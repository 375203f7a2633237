import { initializeLogger, stt } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import { AudioFrame } from '@livekit/rtc-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silence, synthesizeSpeech } from '../audio/index.js';
import { type DeepgramEmulator, startDeepgramEmulator } from './index.js';

/**
 * Conformance: LiveKit's own Deepgram plugin, unchanged but for its base URL, transcribes what the
 * emulator decodes from the frames it sends. (The runtime uses its own STT subclass for dropped-socket
 * handling; this proves the emulator speaks the protocol the upstream client expects.)
 */
let emulator: DeepgramEmulator;
beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'silent' });
  emulator = await startDeepgramEmulator({ acceptAnyKey: true });
});
afterAll(() => emulator?.close());

it('streams 16 kHz PCM from the LiveKit Deepgram plugin and gets the exact final transcript', async () => {
  const plugin = new deepgram.STT({
    apiKey: 'conformance-key',
    baseUrl: emulator.wsUrl,
    sampleRate: 16_000,
    endpointing: 100,
    interimResults: true,
  });
  const stream = plugin.stream();
  const rate = 16_000;
  const audio = Int16Array.from([
    ...silence(200, rate),
    ...synthesizeSpeech('please book a table for two', rate),
    ...silence(1000, rate),
  ]);
  const frame = rate / 50; // 20 ms
  for (let i = 0; i + frame <= audio.length; i += frame) {
    stream.pushFrame(new AudioFrame(audio.slice(i, i + frame), rate, 1, frame));
  }
  const finals: string[] = [];
  for await (const event of stream) {
    if (event.type === stt.SpeechEventType.FINAL_TRANSCRIPT) {
      finals.push(event.alternatives?.[0]?.text ?? '');
      break;
    }
  }
  stream.close();
  expect(finals).toEqual(['please book a table for two']);
});
