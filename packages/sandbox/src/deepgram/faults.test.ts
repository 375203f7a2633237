import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeepgramEmulator, DeepgramFaults, startDeepgramEmulator } from './index.js';
import { finals, openSdkListen, phoneSpeech, transcriptOf } from './sdk-listen.test-support.js';

const FRAME = 160;
let emulator: DeepgramEmulator;

beforeAll(async () => {
  emulator = await startDeepgramEmulator();
});
afterAll(() => emulator.close());

describe('Deepgram emulator fault knobs (per API key)', () => {
  it('validates fault scenarios with the exported schema', () => {
    expect(DeepgramFaults.parse({})).toEqual({ rejectAuth: false, noEndpoint: false });
    expect(() => DeepgramFaults.parse({ drop: { mode: 'abrupt' } })).toThrow(/afterMs or afterUtterances/);
    expect(() => DeepgramFaults.parse({ surprise: true })).toThrow();
  });

  it('rejectAuth: the handshake fails with 401 for that key only', async () => {
    emulator.setFaults('dg-locked', { rejectAuth: true });
    emulator.setFaults('dg-fine');
    await expect(openSdkListen(emulator.url, 'dg-locked')).rejects.toMatchObject({
      message: expect.stringContaining('401'),
    });
    const ok = await openSdkListen(emulator.url, 'dg-fine');
    ok.socket.close();
    expect(emulator.connections('dg-locked').map((c) => c.status)).toEqual([401]);
  });

  it('rejectUpgrade: 429 for the first connection, then the key works', async () => {
    emulator.setFaults('dg-busy', { rejectUpgrade: { status: 429, firstConnections: 1 } });
    await expect(openSdkListen(emulator.url, 'dg-busy')).rejects.toMatchObject({
      message: expect.stringContaining('429'),
    });
    const second = await openSdkListen(emulator.url, 'dg-busy');
    second.socket.close();
    expect(emulator.connections('dg-busy').map((c) => c.status)).toEqual([429, 101]);
  });

  it('drop after N ms: the socket dies with no close frame', async () => {
    emulator.setFaults('dg-flaky', { drop: { afterMs: 150 } });
    const started = Date.now();
    const dg = await openSdkListen(emulator.url, 'dg-flaky');
    expect((await dg.closed).code).toBe(1006);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await emulator.settled('dg-flaky');
    expect(emulator.connections('dg-flaky')[0]?.closeCode).toBe(1006);
  });

  it('drop after N utterances with an error close: 1011 right after the Nth final', async () => {
    emulator.setFaults('dg-one-shot', { drop: { afterUtterances: 1, mode: 'error' } });
    const dg = await openSdkListen(emulator.url, 'dg-one-shot');
    dg.sendAudio(phoneSpeech(['only this one', 'never heard'], 400, 400), FRAME);
    expect(await dg.closed).toEqual({ code: 1011, reason: 'NET-0000' });
    expect(finals(dg.messages).map(transcriptOf)).toEqual(['only this one']);
    expect(dg.messages.at(-1)).toMatchObject({ type: 'Results', speech_final: true });
  });

  it('result delay: every message arrives that much later, in the same order', async () => {
    emulator.setFaults('dg-slow', { resultDelayMs: 250 });
    const dg = await openSdkListen(emulator.url, 'dg-slow');
    const sentAt = Date.now();
    dg.sendAudio(phoneSpeech(['wait for it'], 100, 500), FRAME);
    await dg.waitFor('SpeechStarted');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(240);
    const final = await dg.waitFor('Results', (m) => m.speech_final === true);
    expect(transcriptOf(final)).toBe('wait for it');
    expect(dg.messages[0]?.type).toBe('SpeechStarted');
    dg.socket.close();
  });

  it('records audio seconds per key', async () => {
    emulator.setFaults('dg-meter-a');
    emulator.setFaults('dg-meter-b');
    for (const [key, seconds] of [
      ['dg-meter-a', 1],
      ['dg-meter-b', 2.5],
    ] as const) {
      const dg = await openSdkListen(emulator.url, key);
      dg.sendAudio(Buffer.alloc(8000 * seconds, 0xff), FRAME);
      dg.socket.sendCloseStream({ type: 'CloseStream' });
      await dg.closed;
    }
    await emulator.settled();
    expect(emulator.usage('dg-meter-a')).toEqual({ connections: 1, audioSeconds: 1 });
    expect(emulator.usage('dg-meter-b')).toEqual({ connections: 1, audioSeconds: 2.5 });
    expect(emulator.usage('nobody')).toEqual({ connections: 0, audioSeconds: 0 });
  });
});
