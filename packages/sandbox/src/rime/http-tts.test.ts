import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mulawDecode,
  normalizeSpeechText,
  pcm16FromBytes,
  speechDurationMs,
  transcribeSpeech,
} from '../audio/index.js';
import { type RimeEmulator, RimeFaults, startRimeEmulator } from './index.js';

const KEY = 'rime-key';
const TEXT = 'Your table for two is booked at 7:30 — see you then!';

let rime: RimeEmulator;

beforeAll(async () => {
  rime = await startRimeEmulator({ keys: { [KEY]: {} } });
});
afterAll(() => rime.close());

function tts(body: object, accept: string, key = KEY): Promise<Response> {
  return fetch(`${rime.url}/v1/rime-tts`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', Accept: accept },
    body: JSON.stringify(body),
  });
}

/** Reads the body piece by piece, as a streaming client does. */
async function readChunks(response: Response): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  const reader = response.body!.getReader();
  for (let part = await reader.read(); !part.done; part = await reader.read())
    chunks.push(Buffer.from(part.value));
  return chunks;
}

describe('Rime emulator: POST /v1/rime-tts', () => {
  it.each(['audio/x-mulaw', 'audio/PCMU'])(
    'streams μ-law 8 kHz (%s) that decodes to the exact text',
    async (accept) => {
      const response = await tts(
        { speaker: 'astra', modelId: 'coda', text: TEXT, samplingRate: 8000 },
        accept,
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(accept);
      expect(response.headers.get('transfer-encoding')).toBe('chunked');
      const chunks = await readChunks(response);
      expect(chunks.length).toBeGreaterThan(1);
      const audio = Buffer.concat(chunks);
      expect(audio.length).toBe((speechDurationMs(TEXT) * 8000) / 1000);
      expect(transcribeSpeech(mulawDecode(audio), 8000)).toEqual([normalizeSpeechText(TEXT)]);
    },
  );

  it.each([
    ['audio/pcm', 24000],
    ['audio/L16', 16000],
  ])('streams headerless PCM16 (%s) at the requested rate', async (accept, samplingRate) => {
    const response = await tts({ speaker: 'astra', modelId: 'coda', text: TEXT, samplingRate }, accept);
    const audio = Buffer.concat(await readChunks(response));
    expect(audio.length).toBe((speechDurationMs(TEXT) * samplingRate * 2) / 1000);
    expect(transcribeSpeech(pcm16FromBytes(audio), samplingRate)).toEqual([normalizeSpeechText(TEXT)]);
  });

  it('uses the model default rate and puts a RIFF header on audio/wav', async () => {
    const response = await tts({ speaker: 'cove', modelId: 'mistv2', text: 'hello' }, 'audio/wav');
    const audio = Buffer.from(await response.arrayBuffer());
    expect(audio.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(audio.readUInt32LE(24)).toBe(22050);
    expect(transcribeSpeech(pcm16FromBytes(audio.subarray(44)), 22050)).toEqual(['hello']);
  });

  it('answers auth and validation errors like Rime', async () => {
    const noAuth = await fetch(`${rime.url}/v1/rime-tts`, { method: 'POST', body: '{}' });
    expect([noAuth.status, await noAuth.text()]).toEqual([401, 'missing headers']);
    const wrong = await tts({ speaker: 'astra', text: 'hi' }, 'audio/pcm', 'who-knows');
    expect([wrong.status, await wrong.text()]).toEqual([401, 'invalid api key']);
    expect((await tts({ text: 'no speaker' }, 'audio/pcm')).status).toBe(400);
    expect(
      (await tts({ speaker: 'astra', modelId: 'mistv2', text: 'x'.repeat(501) }, 'audio/pcm')).status,
    ).toBe(400);
    expect((await tts({ speaker: 'astra', modelId: 'coda', text: 'hi' }, 'audio/mpeg')).status).toBe(400);
  });

  it('serves only the speakers and languages a model has, mistv2 by default', async () => {
    const refused = async (body: object) => {
      const res = await tts(body, 'audio/pcm');
      return [res.status, await res.text()];
    };
    expect(await refused({ speaker: 'nobody', modelId: 'coda', text: 'hi' })).toEqual([
      400,
      'speaker nobody is not available for model coda',
    ]);
    expect(await refused({ speaker: 'astra', modelId: 'mistv2', text: 'hi' })).toEqual([
      400,
      'speaker astra is not available for model mistv2',
    ]);
    expect((await refused({ speaker: 'cove', modelId: 'mist', text: 'hola', lang: 'spa' }))[0]).toBe(400);
    rime.setFaults('rime-default');
    const ok = await tts({ speaker: 'cove', text: 'hola', lang: 'spa' }, 'audio/pcm', 'rime-default');
    await ok.arrayBuffer();
    expect(rime.requests('rime-default').map((r) => [r.status, r.modelId, r.lang])).toEqual([
      [200, 'mistv2', 'spa'],
    ]);
  });

  it('records characters synthesized per key', async () => {
    rime.setFaults('rime-meter');
    await (
      await tts({ speaker: 'astra', modelId: 'coda', text: 'one two' }, 'audio/pcm', 'rime-meter')
    ).arrayBuffer();
    await (
      await tts({ speaker: 'astra', modelId: 'coda', text: 'three' }, 'audio/pcm', 'rime-meter')
    ).arrayBuffer();
    expect(rime.usage('rime-meter')).toEqual({ requests: 2, characters: 12 });
    expect(rime.requests('rime-meter').map((r) => r.texts)).toEqual([['one two'], ['three']]);
  });
});

describe('Rime emulator HTTP fault knobs', () => {
  it('validates fault scenarios with the exported schema', () => {
    expect(RimeFaults.parse({})).toEqual({ rejectAuth: false });
    expect(() => RimeFaults.parse({ serverError: { status: 418 } })).toThrow();
  });

  it('serverError: 500 for the first request, then audio', async () => {
    rime.setFaults('rime-500', { serverError: { firstRequests: 1 } });
    const failed = await tts(
      { speaker: 'astra', modelId: 'coda', text: 'retry me' },
      'audio/pcm',
      'rime-500',
    );
    expect([failed.status, await failed.text()]).toEqual([500, 'Internal Server Error']);
    const retried = await tts(
      { speaker: 'astra', modelId: 'coda', text: 'retry me' },
      'audio/pcm',
      'rime-500',
    );
    expect(retried.status).toBe(200);
    await retried.arrayBuffer();
    expect(rime.usage('rime-500').characters).toBe('retry me'.length);
  });

  it('firstByteDelayMs: the response starts that much later', async () => {
    rime.setFaults('rime-slow', { firstByteDelayMs: 200 });
    const started = Date.now();
    const response = await tts({ speaker: 'astra', modelId: 'coda', text: 'slow' }, 'audio/pcm', 'rime-slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await response.arrayBuffer();
  });

  it('dropMidStream: the connection dies after N audio bytes', async () => {
    rime.setFaults('rime-drop', { dropMidStream: { afterBytes: 1000 } });
    const response = await tts(
      { speaker: 'astra', modelId: 'coda', text: TEXT, samplingRate: 8000 },
      'audio/x-mulaw',
      'rime-drop',
    );
    expect(response.status).toBe(200);
    const received: Buffer[] = [];
    const reader = response.body!.getReader();
    await expect(
      (async () => {
        for (let part = await reader.read(); !part.done; part = await reader.read())
          received.push(Buffer.from(part.value));
      })(),
    ).rejects.toThrow();
    expect(Buffer.concat(received).length).toBe(1000);
  });

  it('rejectAuth: 401 for that key', async () => {
    rime.setFaults('rime-locked', { rejectAuth: true });
    const response = await tts({ speaker: 'astra', text: 'hi' }, 'audio/pcm', 'rime-locked');
    expect([response.status, await response.text()]).toEqual([401, 'invalid api key']);
  });
});
