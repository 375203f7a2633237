import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { mulawDecode, pcm16FromBytes, transcribeSpeech } from '../audio/index.js';
import { type RimeEmulator, startRimeEmulator, wordTimestamps } from './index.js';

const KEY = 'rime-ws-key';

interface Ws3Event {
  type: 'chunk' | 'timestamps' | 'done' | 'error';
  data?: string;
  contextId?: string | null;
  word_timestamps?: { words: string[]; start: number[]; end: number[] };
  message?: string;
}

let rime: RimeEmulator;

beforeAll(async () => {
  rime = await startRimeEmulator({ keys: { [KEY]: {} } });
});
afterAll(() => rime.close());

interface Ws3Client {
  ws: WebSocket;
  events: Ws3Event[];
  send(message: object): void;
  /** Resolves when `count` events of a type have arrived. */
  waitFor(type: Ws3Event['type'], count?: number): Promise<void>;
  closed: Promise<number>;
}

async function connect(query: string, key = KEY): Promise<Ws3Client> {
  const ws = new WebSocket(`${rime.wsUrl}/ws3?${query}`, { headers: { Authorization: `Bearer ${key}` } });
  const events: Ws3Event[] = [];
  const listeners = new Set<() => void>();
  ws.on('message', (data) => {
    events.push(JSON.parse(data.toString()) as Ws3Event);
    for (const listener of listeners) listener();
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return {
    ws,
    events,
    closed,
    send: (message) => ws.send(JSON.stringify(message)),
    waitFor: (type, count = 1) =>
      new Promise((resolve) => {
        const check = () => {
          if (events.filter((e) => e.type === type).length < count) return false;
          listeners.delete(check);
          resolve();
          return true;
        };
        if (!check()) listeners.add(check);
      }),
  };
}

function audioOf(events: Ws3Event[]): Buffer {
  return Buffer.concat(events.filter((e) => e.type === 'chunk').map((e) => Buffer.from(e.data!, 'base64')));
}

function upgradeStatus(url: string, headers: Record<string, string>): Promise<[number, string]> {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('unexpectedly upgraded')));
    ws.once('error', () => {});
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve([res.statusCode ?? 0, body]));
    });
  });
}

const MULAW = 'speaker=astra&modelId=coda&audioFormat=mulaw&samplingRate=8000';

describe('Rime emulator: /ws3 WebSocket', () => {
  it('synthesizes each sentence, and on flush the rest, with timestamps and done tagged by contextId', async () => {
    const client = await connect(MULAW);
    client.send({ text: 'Hello there. ', contextId: 'ctx-1' });
    client.send({ text: 'How are ' });
    await client.waitFor('timestamps');
    expect(client.events.some((e) => e.type === 'done')).toBe(false);
    client.send({ text: 'you', contextId: 'ctx-2' });
    client.send({ operation: 'flush' });
    await client.waitFor('done');

    expect(transcribeSpeech(mulawDecode(audioOf(client.events)), 8000)).toEqual([
      'hello there.',
      'how are you',
    ]);
    const kinds = client.events.map((e) => e.type).filter((k, i, all) => k !== all[i - 1]);
    expect(kinds).toEqual(['chunk', 'timestamps', 'chunk', 'timestamps', 'done']);
    const stamps = client.events.filter((e) => e.type === 'timestamps');
    expect(stamps[0]).toEqual({
      type: 'timestamps',
      contextId: 'ctx-1',
      word_timestamps: { words: ['Hello', 'there.'], start: [0.02, 0.14], end: [0.12, 0.26] },
    });
    expect(stamps[1]!.word_timestamps).toEqual(wordTimestamps('How are you'));
    expect(stamps[1]!.contextId).toBe('ctx-2');
    expect(client.events.at(-1)).toEqual({ type: 'done', contextId: 'ctx-2' });
    client.ws.close();
  });

  it('tags events with a null contextId before one is set, and streams PCM at the requested rate', async () => {
    const client = await connect(
      'speaker=astra&modelId=coda&audioFormat=pcm&samplingRate=24000&segment=never',
    );
    client.send({ text: 'No context. Still one utterance.' });
    client.send({ operation: 'flush' });
    await client.waitFor('done');
    expect(new Set(client.events.map((e) => e.contextId))).toEqual(new Set([null]));
    expect(transcribeSpeech(pcm16FromBytes(audioOf(client.events)), 24000)).toEqual([
      'no context. still one utterance.',
    ]);
    client.ws.close();
  });

  it('clear drops pending text', async () => {
    const client = await connect(MULAW);
    client.send({ text: 'this should never be heard ' });
    client.send({ operation: 'clear' });
    client.send({ text: 'only this' });
    client.send({ operation: 'flush' });
    await client.waitFor('done');
    expect(transcribeSpeech(mulawDecode(audioOf(client.events)), 8000)).toEqual(['only this']);
    expect(rime.requests(KEY).at(-1)?.texts).toEqual(['only this']);
    client.ws.close();
  });

  it('eos synthesizes the rest, sends done and closes the connection', async () => {
    const client = await connect(MULAW);
    client.send({ text: 'goodbye now' });
    client.send({ operation: 'eos' });
    expect(await client.closed).toBe(1000);
    expect(client.events.at(-1)?.type).toBe('done');
    expect(transcribeSpeech(mulawDecode(audioOf(client.events)), 8000)).toEqual(['goodbye now']);
  });

  it('answers a bad message with an error event', async () => {
    const client = await connect(MULAW);
    client.ws.send('not json');
    await client.waitFor('error');
    expect(client.events[0]).toMatchObject({
      type: 'error',
      message: expect.stringContaining('invalid message'),
    });
    client.ws.close();
  });

  it('requires Bearer auth and valid settings on the upgrade', async () => {
    const url = `${rime.wsUrl}/ws3?${MULAW}`;
    expect(await upgradeStatus(url, {})).toEqual([401, 'missing headers']);
    expect(await upgradeStatus(url, { Authorization: 'Bearer nope' })).toEqual([401, 'invalid api key']);
    expect(
      (await upgradeStatus(`${rime.wsUrl}/ws3?modelId=coda`, { Authorization: `Bearer ${KEY}` }))[0],
    ).toBe(400);
    expect(
      await upgradeStatus(`${rime.wsUrl}/ws3?speaker=nobody&modelId=coda`, {
        Authorization: `Bearer ${KEY}`,
      }),
    ).toEqual([400, 'speaker nobody is not available for model coda']);
  });

  it('serves /ws3 without modelId from Mist v3, as Rime documents', async () => {
    rime.setFaults('ws-default');
    const client = await connect('speaker=cove&audioFormat=mulaw&lang=eng', 'ws-default');
    client.ws.close();
    expect(rime.requests('ws-default').map((r) => [r.modelId, r.lang])).toEqual([['mistv3', 'eng']]);
  });
});

describe('Rime emulator /ws3 fault knobs', () => {
  it('serverError refuses the upgrade; rejectAuth answers 401', async () => {
    rime.setFaults('ws-500', { serverError: { status: 503 } });
    rime.setFaults('ws-locked', { rejectAuth: true });
    expect((await upgradeStatus(`${rime.wsUrl}/ws3?${MULAW}`, { Authorization: 'Bearer ws-500' }))[0]).toBe(
      503,
    );
    expect(await upgradeStatus(`${rime.wsUrl}/ws3?${MULAW}`, { Authorization: 'Bearer ws-locked' })).toEqual([
      401,
      'invalid api key',
    ]);
  });

  it('firstByteDelayMs holds back the first chunk', async () => {
    rime.setFaults('ws-slow', { firstByteDelayMs: 200 });
    const client = await connect(MULAW, 'ws-slow');
    const started = Date.now();
    client.send({ text: 'slow start' });
    client.send({ operation: 'flush' });
    await client.waitFor('chunk');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await client.waitFor('done');
    client.ws.close();
  });

  it('dropMidStream kills the socket after N audio bytes', async () => {
    rime.setFaults('ws-drop', { dropMidStream: { afterBytes: 1200 } });
    const client = await connect(MULAW, 'ws-drop');
    client.send({ text: 'a sentence long enough to be cut somewhere in the middle' });
    client.send({ operation: 'flush' });
    expect(await client.closed).toBe(1006);
    expect(audioOf(client.events).length).toBe(1200);
    expect(client.events.some((e) => e.type === 'done')).toBe(false);
  });
});
