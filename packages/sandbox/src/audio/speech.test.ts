import { describe, expect, it } from 'vitest';
import {
  concatPcm,
  decodeSpeech,
  HUMAN_WORDS_PER_MINUTE,
  linearResample,
  mulawDecode,
  mulawEncode,
  normalizeSpeechText,
  SANDBOX_SAMPLE_RATE,
  SPEECH_CHARACTERS,
  SpeechDecoder,
  type SpeechEvent,
  silence,
  speechDurationMs,
  synthesizeSpeech,
  transcribeSpeech,
} from './index.js';

const RATES = [8000, 16000, 24000, 48000];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSentence(random: () => number, maxLength = 60): string {
  const length = 1 + Math.floor(random() * maxLength);
  let text = '';
  for (let i = 0; i < length; i++) text += SPEECH_CHARACTERS[Math.floor(random() * SPEECH_CHARACTERS.length)];
  return normalizeSpeechText(text) || 'x';
}

function withSilence(pcm: Int16Array, rate: number, leadMs: number, tailMs = 200): Int16Array {
  return concatPcm([silence(leadMs, rate), pcm, silence(tailMs, rate)]);
}

function pushInChunks(decoder: SpeechDecoder, pcm: Int16Array, nextSize: () => number): SpeechEvent[] {
  const events: SpeechEvent[] = [];
  for (let i = 0; i < pcm.length; ) {
    const size = Math.max(1, nextSize());
    events.push(...decoder.push(pcm.subarray(i, i + size)));
    i += size;
  }
  return [...events, ...decoder.flush()];
}

function utterances(events: SpeechEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'utterance' ? [e.text] : []));
}

function addNoise(pcm: Int16Array, level: number, random: () => number): Int16Array {
  return pcm.map((s) => Math.max(-32768, Math.min(32767, s + Math.round((random() * 2 - 1) * level))));
}

describe('normalizeSpeechText', () => {
  it('lowercases, maps typography and drops what cannot be spoken', () => {
    expect(normalizeSpeechText('  Héllo\tWORLD — it’s “fine”… [ok] ✓ ')).toBe(
      'hello world - it\'s "fine"... (ok)',
    );
    expect(speechDurationMs('Hi!')).toBe(5 * 20);
  });
});

describe('μ-law', () => {
  it('round-trips every code and stays close to the input', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const decoded = mulawDecode(all);
    // 0x7f and 0xff both decode to 0, which re-encodes as 0xff.
    expect([...mulawEncode(decoded)]).toEqual([...all].map((b) => (b === 0x7f ? 0xff : b)));
    const ramp = Int16Array.from({ length: 2001 }, (_, i) => (i - 1000) * 32);
    const back = mulawDecode(mulawEncode(ramp));
    const worst = Math.max(...ramp.map((s, i) => Math.abs(back[i]! - s) - Math.max(8, Math.abs(s) / 16)));
    expect(worst).toBeLessThanOrEqual(0);
    expect(mulawEncode(silence(20, 8000)).every((b) => b === 0xff)).toBe(true);
  });
});

describe('speech as tones', () => {
  it('round-trips arbitrary sentences exactly at 8, 16, 24 and 48 kHz', () => {
    const random = rng(1);
    for (const rate of RATES) {
      for (let n = 0; n < 20; n++) {
        const text = randomSentence(random);
        const pcm = synthesizeSpeech(text, rate);
        expect(pcm.length).toBe((speechDurationMs(text) * rate) / 1000);
        expect(transcribeSpeech(withSilence(pcm, rate, 50), rate)).toEqual([text]);
      }
    }
  });

  it('speaks at a human pace when asked: about 150 words a minute, same transcript, word gaps held', () => {
    const text = 'i would like to book a cleaning appointment next tuesday morning please';
    const words = text.split(' ').length;
    const human = { wordsPerMinute: HUMAN_WORDS_PER_MINUTE };
    const fastMs = speechDurationMs(text);
    const humanMs = speechDurationMs(text, human);
    // 20 ms a character is ~3-4 times faster than people speak.
    expect((words / fastMs) * 60_000).toBeGreaterThan(400);
    expect((words / humanMs) * 60_000).toBeGreaterThan(140);
    expect((words / humanMs) * 60_000).toBeLessThan(170);
    const pcm = synthesizeSpeech(text, 8000, human);
    expect(pcm.length).toBe((humanMs * 8000) / 1000);
    const events = decodeSpeech(withSilence(pcm, 8000, 50), 8000);
    const utterance = events.find((e) => e.type === 'utterance');
    expect(utterance).toMatchObject({ text });
    // Held gaps between words: the second word starts well after the first ends.
    const [first, second] = utterance?.type === 'utterance' ? utterance.words : [];
    expect(second!.startMs - first!.endMs).toBeGreaterThan(200);
  });

  it('round-trips through μ-law at 8 kHz', () => {
    const random = rng(2);
    for (let n = 0; n < 30; n++) {
      const text = randomSentence(random);
      const bytes = mulawEncode(withSilence(synthesizeSpeech(text, SANDBOX_SAMPLE_RATE), 8000, 30));
      expect(transcribeSpeech(mulawDecode(bytes), SANDBOX_SAMPLE_RATE)).toEqual([text]);
    }
  });

  it('handles any chunk size, a random leading offset, silence, noise and amplitude scaling', () => {
    const random = rng(3);
    for (const rate of RATES) {
      for (let n = 0; n < 12; n++) {
        const text = randomSentence(random);
        const scale = 0.3 + random() * 0.7;
        const speech = synthesizeSpeech(text, rate).map((s) => Math.round(s * scale));
        const leadMs = random() * 1000;
        const pcm = addNoise(withSilence(speech, rate, leadMs, random() * 500), 400, random);
        const sizes = [() => 1, () => rate, () => 1 + Math.floor(random() * rate)];
        const decoder = new SpeechDecoder(rate);
        const events = pushInChunks(decoder, pcm, sizes[n % sizes.length]!);
        expect(utterances(events)).toEqual([text]);
        const start = events.find((e) => e.type === 'speech_start');
        expect(start?.atMs).toBeCloseTo(Math.round((leadMs * rate) / 1000) / (rate / 1000), 0);
      }
    }
  });

  it('survives linear resampling between 24 kHz and 8 or 16 kHz, both ways', () => {
    const random = rng(4);
    const pairs: [number, number][] = [
      [24000, 8000],
      [24000, 16000],
      [8000, 24000],
      [16000, 24000],
    ];
    for (const [from, to] of pairs) {
      for (let n = 0; n < 8; n++) {
        const text = randomSentence(random);
        const pcm = withSilence(synthesizeSpeech(text, from), from, random() * 100);
        const scaled = linearResample(pcm, from, to).map((s) => Math.round(s * (0.3 + random() * 0.7)));
        expect(transcribeSpeech(scaled, to)).toEqual([text]);
      }
    }
  });

  it.each([
    [8000, 7],
    [16000, 23],
  ])(
    'turns a dropped or corrupted 20 ms frame inside an utterance into a wrong transcript (%i Hz)',
    (rate, step) => {
      const random = rng(5);
      const frame = rate / 50;
      const text = 'book a table for two at seven';
      const clean = synthesizeSpeech(text, rate);
      const loudNoise = Int16Array.from({ length: frame }, () => Math.round((random() * 2 - 1) * 20000));
      const otherTone = synthesizeSpeech('q', rate).subarray(frame, 2 * frame);
      const heard = (pcm: Int16Array) => {
        const padded = withSilence(pcm, rate, 100);
        return transcribeSpeech(rate === 8000 ? mulawDecode(mulawEncode(padded)) : padded, rate);
      };
      // Every frame position strictly inside the utterance, aligned to the symbol grid or not.
      for (let at = frame; at + 2 * frame <= clean.length; at += step) {
        const dropped = concatPcm([clean.subarray(0, at), clean.subarray(at + frame)]);
        for (const damaged of [
          dropped,
          patch(clean, at, new Int16Array(frame)),
          patch(clean, at, loudNoise),
        ]) {
          expect(heard(damaged)).not.toEqual([text]);
        }
      }
      for (let symbol = 1; symbol <= text.length; symbol++) {
        expect(heard(patch(clean, symbol * frame, otherTone))).not.toEqual([text]);
      }
    },
  );

  it('splits utterances at silence and words at spaces, with times', () => {
    const rate = 16000;
    const pcm = concatPcm([
      silence(100, rate),
      synthesizeSpeech('hello there', rate),
      silence(400, rate),
      synthesizeSpeech('second  one!', rate),
      silence(100, rate),
    ]);
    const done = decodeSpeech(pcm, rate).filter((e) => e.type === 'utterance');
    expect(done).toEqual([
      {
        type: 'utterance',
        text: 'hello there',
        startMs: 100,
        endMs: 100 + 13 * 20,
        words: [
          { word: 'hello', startMs: 120, endMs: 220 },
          { word: 'there', startMs: 240, endMs: 340 },
        ],
      },
      {
        type: 'utterance',
        text: 'second one!',
        startMs: 760,
        endMs: 760 + 13 * 20,
        words: [
          { word: 'second', startMs: 780, endMs: 900 },
          { word: 'one!', startMs: 920, endMs: 1000 },
        ],
      },
    ]);
  });

  it('also decodes utterances that follow each other with no gap', () => {
    const pcm = concatPcm([synthesizeSpeech('one', 8000), synthesizeSpeech('two', 8000), silence(60, 8000)]);
    expect(transcribeSpeech(pcm, 8000)).toEqual(['one', 'two']);
  });

  it('signals speech start within 40 ms of the onset and grows partials character by character', () => {
    const rate = 8000;
    const text = 'partials grow';
    const leadMs = 123.5;
    const pcm = withSilence(synthesizeSpeech(text, rate), rate, leadMs);
    const decoder = new SpeechDecoder(rate);
    const seen: { event: SpeechEvent; pushedMs: number }[] = [];
    for (let i = 0; i < pcm.length; i += 8) {
      for (const event of decoder.push(pcm.subarray(i, i + 8)))
        seen.push({ event, pushedMs: decoder.positionMs });
    }
    const start = seen.find((s) => s.event.type === 'speech_start')!;
    expect(start.event).toEqual({ type: 'speech_start', atMs: leadMs });
    expect(start.pushedMs - leadMs).toBeLessThanOrEqual(40);
    const partials = seen.flatMap((s) => (s.event.type === 'partial' ? [s.event.text] : []));
    expect(partials).toEqual([...text].map((_, i) => text.slice(0, i + 1)));
  });

  it('reports an utterance cut short by flush as truncated', () => {
    const decoder = new SpeechDecoder(8000);
    const pcm = synthesizeSpeech('cut here', 8000);
    decoder.push(pcm.subarray(0, 160 * 4));
    const events = decoder.flush();
    expect(events.at(-1)).toMatchObject({ type: 'utterance', text: 'cut', truncated: true });
  });

  it('never throws on garbage and decodes 10 s of audio quickly', () => {
    const random = rng(6);
    const garbage = Int16Array.from({ length: 8000 }, () => Math.round((random() * 2 - 1) * 32767));
    expect(() => decodeSpeech(garbage, 8000)).not.toThrow();
    const ten = concatPcm(
      Array.from({ length: 10 }, () =>
        withSilence(synthesizeSpeech('the quick brown fox jumps', 48000), 48000, 200, 300),
      ),
    );
    expect(ten.length).toBeGreaterThanOrEqual(48000 * 10);
    expect(transcribeSpeech(ten, 48000)).toHaveLength(10);
  });
});

function patch(pcm: Int16Array, at: number, replacement: Int16Array): Int16Array {
  const out = pcm.slice();
  out.set(replacement, at);
  return out;
}
