import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeSpeechText } from '../audio/index.js';
import { type DeepgramEmulator, startDeepgramEmulator } from './index.js';
import { finals, openSdkListen, phoneSpeech, transcriptOf } from './sdk-listen.test-support.js';

const SOCKETS = 50;
const WORDS = ['table', 'seven', 'please', 'booking', 'friday', 'window', 'quiet', 'two', 'dinner', 'thanks'];

let emulator: DeepgramEmulator;

beforeAll(async () => {
  emulator = await startDeepgramEmulator({ acceptAnyKey: true });
});
afterAll(() => emulator.close());

describe('Deepgram emulator under concurrency', () => {
  it(`keeps ${SOCKETS} simultaneous sockets apart: every transcript is exact`, async () => {
    const sentences = Array.from(
      { length: SOCKETS },
      (_, i) =>
        `caller ${i}: ${WORDS[i % 10]} for ${WORDS[(i * 7) % 10]} at ${i % 12}, ${WORDS[(i * 3) % 10]}.`,
    );
    const sockets = await Promise.all(sentences.map((_, i) => openSdkListen(emulator.url, `dg-load-${i}`)));
    // Interleave 20 ms frames across all sockets, like a server with many calls.
    const audio = sentences.map((s) => phoneSpeech([s], 100 + (s.length % 7) * 13, 400));
    const longest = Math.max(...audio.map((a) => a.length));
    for (let offset = 0; offset < longest; offset += 160) {
      sockets.forEach((dg, i) => {
        const frame = audio[i]!.subarray(offset, offset + 160);
        if (frame.length > 0) dg.socket.sendMedia(frame);
      });
    }
    const results = await Promise.all(
      sockets.map((dg) => dg.waitFor('Results', (m) => m.speech_final === true)),
    );
    expect(results.map(transcriptOf)).toEqual(sentences.map(normalizeSpeechText));
    for (const dg of sockets) {
      expect(finals(dg.messages)).toHaveLength(1);
      dg.socket.close();
    }
  });
});
