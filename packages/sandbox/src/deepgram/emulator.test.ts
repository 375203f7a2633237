import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { normalizeSpeechText } from '../audio/index.js';
import { type DeepgramEmulator, startDeepgramEmulator } from './index.js';
import {
  finals,
  linear16Speech,
  openSdkListen,
  phoneSpeech,
  results,
  transcriptOf,
} from './sdk-listen.test-support.js';

const KEY = 'dg-test-key';
const SENTENCE = "Hi! I'd like to book a table for 2 at 7:30, please.";
const FRAME = 160; // 20 ms of μ-law at 8 kHz

let emulator: DeepgramEmulator;

beforeAll(async () => {
  emulator = await startDeepgramEmulator({ keys: { [KEY]: {} }, idleTimeoutMs: 400 });
});
afterAll(() => emulator.close());

describe('Deepgram emulator with the real @deepgram/sdk live client', () => {
  it('transcribes phone audio exactly, with interim, final, speech_final, SpeechStarted and UtteranceEnd in order', async () => {
    emulator.reset(KEY);
    const dg = await openSdkListen(emulator.url, KEY);
    dg.sendAudio(phoneSpeech([SENTENCE], 300, 1300), FRAME);
    await dg.waitFor('UtteranceEnd');

    const kinds = dg.messages.map((m) =>
      m.type === 'Results' ? (m.speech_final ? 'speech_final' : m.is_final ? 'final' : 'interim') : m.type,
    );
    const collapsed = kinds.filter((k, i) => k !== kinds[i - 1]);
    expect(collapsed).toEqual(['SpeechStarted', 'interim', 'speech_final', 'UtteranceEnd']);

    const expected = normalizeSpeechText(SENTENCE);
    // About one interim per second of speech, as Deepgram sends them (not one per 20 ms symbol).
    const interims = dg.messages.filter((m) => m.type === 'Results' && !m.is_final) as Parameters<
      typeof transcriptOf
    >[0][];
    // The first once a word is heard ("hi!"); the next would come a second of audio later, after
    // this one-second sentence has ended.
    expect(interims.map(transcriptOf)).toEqual(['hi!']);

    const [final] = finals(dg.messages);
    expect(transcriptOf(final!)).toBe(expected);
    expect(final).toMatchObject({
      type: 'Results',
      is_final: true,
      speech_final: true,
      from_finalize: false,
    });
    expect(final!.channel_index).toEqual([0, 1]);
    expect(final!.start).toBeCloseTo(0.3, 3);
    expect(final!.duration).toBeCloseTo((expected.length + 2) * 0.02, 3);
    expect(final!.metadata.request_id).toBe(emulator.connections(KEY)[0]!.requestId);
    const words = final!.channel.alternatives[0]!.words;
    expect(words.map((w) => w.punctuated_word).join(' ')).toBe(expected);
    expect(words.map((w) => w.word)).toEqual([
      'hi',
      "i'd",
      'like',
      'to',
      'book',
      'a',
      'table',
      'for',
      '2',
      'at',
      '7:30',
      'please',
    ]);
    expect(words[0]).toMatchObject({ start: 0.32, end: 0.38 }); // "hi!": three 20 ms symbols
    for (const w of words) expect(w.end).toBeGreaterThan(w.start);

    const started = await dg.waitFor('SpeechStarted');
    expect(started).toEqual({ type: 'SpeechStarted', channel: [0, 1], timestamp: 0.3 });
    const end = await dg.waitFor('UtteranceEnd');
    expect(end).toEqual({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: words.at(-1)!.end });

    dg.socket.sendCloseStream({ type: 'CloseStream' });
    const metadata = await dg.waitFor('Metadata');
    const seconds = 0.3 + (expected.length + 2) * 0.02 + 1.3;
    expect(metadata).toMatchObject({ type: 'Metadata', transaction_key: 'deprecated', channels: 1 });
    expect(metadata.duration).toBeCloseTo(seconds, 3);
    expect(metadata.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await dg.closed).toMatchObject({ code: 1000 });
    await emulator.settled(KEY);
    expect(emulator.usage(KEY).audioSeconds).toBeCloseTo(seconds, 3);
    expect(emulator.connections(KEY)[0]).toMatchObject({
      status: 101,
      closeCode: 1000,
      utterances: [expected],
    });
  });

  it('sends a long utterance as several is_final segments before speech_final, then UtteranceEnd', async () => {
    const long =
      'i would like to book a cleaning for next tuesday morning, and if that is not possible then any time on wednesday afternoon works for me too.';
    const dg = await openSdkListen(emulator.url, KEY);
    dg.sendAudio(phoneSpeech([long], 100, 1300), FRAME);
    await dg.waitFor('UtteranceEnd');
    const segments = finals(dg.messages);
    expect(segments.length).toBeGreaterThanOrEqual(2);
    expect(segments.slice(0, -1).every((m) => m.is_final && !m.speech_final)).toBe(true);
    expect(segments.at(-1)).toMatchObject({ is_final: true, speech_final: true });
    expect(segments.map(transcriptOf).join(' ')).toBe(normalizeSpeechText(long));
    // Segments are contiguous in time.
    for (let i = 1; i < segments.length; i++) {
      expect(segments[i]!.start).toBeCloseTo(segments[i - 1]!.start + segments[i - 1]!.duration, 3);
    }
    expect(dg.messages.filter((m) => m.type === 'UtteranceEnd')).toHaveLength(1);
    dg.socket.close();
  });

  it('with background noise (noEndpoint) no speech_final comes, only UtteranceEnd', async () => {
    emulator.setFaults('dg-noisy', { noEndpoint: true });
    const dg = await openSdkListen(emulator.url, 'dg-noisy');
    dg.sendAudio(phoneSpeech(['is anyone there?'], 100, 1300), FRAME);
    await dg.waitFor('UtteranceEnd');
    expect(finals(dg.messages).map((m) => [transcriptOf(m), m.speech_final])).toEqual([
      ['is anyone there?', false],
    ]);
    dg.socket.close();
  });

  it('sends one final per utterance, and linear16 at 16 kHz works too', async () => {
    const sentences = ['first one here.', 'and the second!'];
    const dg = await openSdkListen(emulator.url, KEY, { encoding: 'linear16', sample_rate: 16000 });
    dg.sendAudio(linear16Speech(sentences, 16000, 600, 400), 640);
    await dg.waitFor('Results', (m) => m.speech_final === true && transcriptOf(m) === sentences[1]);
    expect(finals(dg.messages).map(transcriptOf)).toEqual(sentences);
    dg.socket.close();
  });

  it('without punctuate or interim results: bare lowercase words and finals only', async () => {
    const dg = await openSdkListen(emulator.url, KEY, {
      punctuate: 'false',
      smart_format: 'false',
      interim_results: 'false',
      endpointing: 'false',
    });
    dg.sendAudio(phoneSpeech(['Well, okay then.']), FRAME);
    const final = await dg.waitFor('Results');
    expect(final).toMatchObject({ is_final: true, speech_final: false });
    expect(transcriptOf(final)).toBe('well okay then');
    expect(final.channel.alternatives[0]!.words[0]).not.toHaveProperty('punctuated_word');
    dg.socket.sendCloseStream({ type: 'CloseStream' });
    await dg.closed;
    expect(dg.messages.map((m) => m.type)).toEqual(['SpeechStarted', 'Results', 'Metadata']);
  });

  it('Finalize flushes what was heard so far and the rest follows as its own final', async () => {
    const dg = await openSdkListen(emulator.url, KEY);
    const audio = phoneSpeech(['split me in two'], 100, 600);
    const cut = 800 + 8 * FRAME; // start marker + "split m"
    // The socket is read in order: the Finalize applies to exactly the audio sent before it.
    dg.sendAudio(audio.subarray(0, cut), FRAME);
    dg.socket.sendFinalize({ type: 'Finalize' });
    const first = await dg.waitFor('Results', (m) => m.from_finalize === true);
    expect(first).toMatchObject({ is_final: true, speech_final: false });
    expect(transcriptOf(first)).toBe('split m');
    dg.sendAudio(audio.subarray(cut), FRAME);
    const second = await dg.waitFor('Results', (m) => m.speech_final === true);
    expect(transcriptOf(second)).toBe('e in two');
    expect(second.start).toBeCloseTo(first.start + first.duration, 3);

    dg.socket.sendFinalize({ type: 'Finalize' });
    const empty = await dg.waitFor('Results', (m) => m.from_finalize === true && m !== first);
    expect(transcriptOf(empty)).toBe('');
    dg.socket.close();
  });

  it('CloseStream finalizes an utterance still waiting for its endpoint, then Metadata, then 1000', async () => {
    const dg = await openSdkListen(emulator.url, KEY, { endpointing: 5000 });
    dg.sendAudio(phoneSpeech(['closing time'], 100, 100), FRAME);
    dg.socket.sendCloseStream({ type: 'CloseStream' });
    expect(await dg.closed).toMatchObject({ code: 1000 });
    const tail = dg.messages.slice(-2);
    expect(tail[0]).toMatchObject({ type: 'Results', is_final: true, speech_final: false });
    expect(results(tail).map(transcriptOf)).toEqual(['closing time']);
    expect(tail[1]).toMatchObject({ type: 'Metadata' });
  });

  it('KeepAlive keeps an idle socket open; silence past the idle timeout closes it with 1011 NET-0001', async () => {
    const dg = await openSdkListen(emulator.url, KEY);
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      dg.socket.sendKeepAlive({ type: 'KeepAlive' });
    }
    expect(dg.socket.readyState).toBe(WebSocket.OPEN);
    expect(dg.messages).toEqual([]);
    expect(await dg.closed).toEqual({ code: 1011, reason: 'NET-0001' });
  });

  it('a wrong key fails the handshake the way the SDK reports it', async () => {
    await expect(openSdkListen(emulator.url, 'not-a-key')).rejects.toMatchObject({
      message: expect.stringContaining('401'),
    });
  });
});

describe('Deepgram emulator handshake', () => {
  it('answers a bad key with 401 INVALID_AUTH, dg-error and dg-request-id', async () => {
    const answer = await rawHandshake(
      `${emulator.wsUrl}/v1/listen?model=nova-3&encoding=mulaw&sample_rate=8000`,
      {
        headers: { Authorization: 'Token wrong' },
      },
    );
    expect(answer.status).toBe(401);
    expect(answer.headers['dg-error']).toBe('Invalid credentials.');
    const body = JSON.parse(answer.body) as { request_id: string };
    expect(body).toEqual({
      err_code: 'INVALID_AUTH',
      err_msg: 'Invalid credentials.',
      request_id: expect.any(String),
    });
    expect(answer.headers['dg-request-id']).toBe(body.request_id);
    expect(
      (await rawHandshake(`${emulator.wsUrl}/v1/listen?encoding=mulaw&sample_rate=8000`, {})).status,
    ).toBe(401);
  });

  it('answers bad parameters with 400 before upgrading', async () => {
    const headers = { Authorization: `Token ${KEY}` };
    expect(
      (await rawHandshake(`${emulator.wsUrl}/v1/listen?model=nova-3&encoding=mulaw`, { headers })).status,
    ).toBe(400);
    expect(
      (
        await rawHandshake(`${emulator.wsUrl}/v1/listen?model=gpt-9&encoding=mulaw&sample_rate=8000`, {
          headers,
        })
      ).status,
    ).toBe(400);
  });

  it('refuses model/language pairs Deepgram does not serve (nova-3-medical is English-only)', async () => {
    const headers = { Authorization: `Token ${KEY}` };
    const status = async (query: string) =>
      (
        await rawHandshake(`${emulator.wsUrl}/v1/listen?encoding=mulaw&sample_rate=8000&${query}`, {
          headers,
        })
      ).status;
    expect(await status('model=nova-3-medical&language=es')).toBe(400);
    expect(await status('model=nova-2-phonecall&language=fr')).toBe(400);
    const refused = await rawHandshake(
      `${emulator.wsUrl}/v1/listen?encoding=mulaw&sample_rate=8000&model=nova-3-medical&language=de`,
      { headers },
    );
    expect(JSON.parse(refused.body)).toMatchObject({
      err_msg: 'No such model/language/tier combination found.',
    });
    for (const ok of [
      'model=nova-3-medical&language=en-US',
      'model=nova-3&language=es',
      'model=nova-2&language=fr',
    ]) {
      const ws = new WebSocket(`${emulator.wsUrl}/v1/listen?encoding=mulaw&sample_rate=8000&${ok}`, {
        headers,
      });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.close();
    }
  });

  it('accepts the key as `Sec-WebSocket-Protocol: token, <key>` and echoes the scheme', async () => {
    const ws = new WebSocket(`${emulator.wsUrl}/v1/listen?model=nova-3&encoding=mulaw&sample_rate=8000`, [
      'token',
      KEY,
    ]);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    expect(ws.protocol).toBe('token');
    ws.close();
  });

  it('closes with 1002 DATA-0000 on an empty binary frame', async () => {
    const ws = new WebSocket(`${emulator.wsUrl}/v1/listen?model=nova-3&encoding=mulaw&sample_rate=8000`, {
      headers: { Authorization: `Bearer ${KEY}` },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<[number, string]>((resolve) =>
      ws.once('close', (code, reason) => resolve([code, reason.toString()])),
    );
    ws.send(Buffer.alloc(0));
    expect(await closed).toEqual([1002, 'DATA-0000']);
  });

  it('accepts any key when started with acceptAnyKey, and transcribes each channel with multichannel', async () => {
    const open = await startDeepgramEmulator({ acceptAnyKey: true });
    try {
      const left = phoneSpeech(['left side'], 100, 400);
      const right = phoneSpeech(['the right side'], 100, 400);
      const stereo = Buffer.alloc(Math.max(left.length, right.length) * 2, 0xff);
      for (let i = 0; i < stereo.length / 2; i++) {
        stereo[2 * i] = left[i] ?? 0xff;
        stereo[2 * i + 1] = right[i] ?? 0xff;
      }
      const dg = await openSdkListen(open.url, 'anything', { channels: 2, multichannel: 'true' });
      dg.sendAudio(stereo, 320);
      await dg.waitFor('Results', (m) => m.speech_final === true && m.channel_index[0] === 0);
      await dg.waitFor('Results', (m) => m.speech_final === true && m.channel_index[0] === 1);
      const byChannel = finals(dg.messages).map((m) => [m.channel_index, transcriptOf(m)]);
      expect(byChannel).toEqual(
        expect.arrayContaining([
          [[0, 2], 'left side'],
          [[1, 2], 'the right side'],
        ]),
      );
      dg.socket.close();
    } finally {
      await open.close();
    }
  });
});

async function rawHandshake(
  url: string,
  options: WebSocket.ClientOptions,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const ws = new WebSocket(url, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('unexpectedly upgraded')));
    ws.once('error', () => {});
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
  });
}

describe('Deepgram emulator with stallAsSilenceMs', () => {
  it('treats a pause in incoming audio as silence, so speech_final still comes', async () => {
    const stalling = await startDeepgramEmulator({ acceptAnyKey: true, stallAsSilenceMs: 50 });
    try {
      const dg = await openSdkListen(stalling.url, 'stall', { endpointing: 100 });
      dg.sendAudio(phoneSpeech(['no trailing silence'], 100, 0), FRAME);
      const final = await dg.waitFor('Results', (m) => m.speech_final === true);
      expect(transcriptOf(final)).toBe('no trailing silence');
      dg.socket.close();
    } finally {
      await stalling.close();
    }
  });
});
