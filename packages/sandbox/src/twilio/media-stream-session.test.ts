import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FRAME_BYTES,
  MediaStreamHandshakeError,
  MediaStreamSession,
  MULAW_SILENCE,
} from './media-stream-session.js';
import { startStreamServer } from './stream-server.test-support.js';

const accountSid = `AC${'a'.repeat(32)}`;
const callSid = `CA${'b'.repeat(32)}`;
const authToken = 'secret-token';

type Msg = Record<string, unknown>;
const media = (m: Msg) => m.media as { track: string; chunk: string; timestamp: string; payload: string };

describe('MediaStreamSession wire format', () => {
  let app: Awaited<ReturnType<typeof startStreamServer>>;
  beforeAll(async () => {
    app = await startStreamServer();
  });
  afterAll(() => app.close());

  async function open(speed = 4) {
    const socketPromise = app.nextSocket();
    const session = await MediaStreamSession.connect({
      url: app.url,
      accountSid,
      authToken,
      callSid,
      customParameters: { tenant: 'acme', callerNumber: '+14155550123' },
      speed,
      jitterBufferMs: 0,
    });
    return { session, socket: await socketPromise };
  }

  it('signs the upgrade and sends connected, start, then 160-byte media frames with string counters', async () => {
    const { session, socket } = await open();
    const signature = socket.upgrade.headers['x-twilio-signature'];
    expect(typeof signature).toBe('string');
    expect(twilio.validateRequest(authToken, signature as string, app.url, {})).toBe(true);

    session.sendAudio(Buffer.alloc(200, 0x11));
    await socket.next((m) => m.event === 'media' && media(m).chunk === '4');
    await session.stop();
    expect((await socket.closed).code).toBe(1000);

    const [connected, start, ...rest] = socket.messages;
    expect(connected).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    expect(start).toEqual({
      event: 'start',
      sequenceNumber: '1',
      start: {
        accountSid,
        streamSid: session.streamSid,
        callSid,
        tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        customParameters: { tenant: 'acme', callerNumber: '+14155550123' },
      },
      streamSid: session.streamSid,
    });
    expect(session.streamSid).toMatch(/^MZ[0-9a-f]{32}$/);

    const frames = rest.filter((m) => m.event === 'media');
    frames.forEach((m, i) => {
      expect(Object.keys(m).sort()).toEqual(['event', 'media', 'sequenceNumber', 'streamSid']);
      expect(m.sequenceNumber).toBe(String(i + 2));
      expect(media(m).track).toBe('inbound');
      expect(media(m).chunk).toBe(String(i + 1));
      expect(media(m).timestamp).toBe(String(i * 20));
      expect(media(m).payload).toHaveLength(216);
      expect(Buffer.from(media(m).payload, 'base64')).toHaveLength(FRAME_BYTES);
    });
    const payloads = Buffer.concat(frames.map((m) => Buffer.from(media(m).payload, 'base64')));
    expect(payloads.subarray(0, 200)).toEqual(Buffer.alloc(200, 0x11));
    expect(payloads.subarray(200, 480)).toEqual(Buffer.alloc(280, MULAW_SILENCE));

    const stop = socket.messages.at(-1)!;
    expect(stop).toEqual({
      event: 'stop',
      sequenceNumber: String(socket.messages.length - 1),
      stop: { accountSid, callSid },
      streamSid: session.streamSid,
    });
    expect(await session.ended).toMatchObject({ by: 'twilio', code: 1000 });
  });

  it('echoes a mark only after the audio before it has played', async () => {
    const { session, socket } = await open(8);
    const streamSid = session.streamSid;
    const played: number[] = [];
    session.on('played', (_frame, _at, audioBytes) => played.push(audioBytes));
    const sentAtFrame = socket.messages.filter((m) => m.event === 'media').length;
    const audio = Buffer.alloc(FRAME_BYTES * 10, 0x22);
    socket.ws.send(
      JSON.stringify({ event: 'media', streamSid, media: { payload: audio.toString('base64') } }),
    );
    socket.ws.send(JSON.stringify({ event: 'mark', streamSid, mark: { name: 'utt-1' } }));
    const echo = await socket.next((m) => m.event === 'mark');
    expect(echo).toEqual({
      event: 'mark',
      sequenceNumber: expect.stringMatching(/^\d+$/),
      streamSid,
      mark: { name: 'utt-1' },
    });
    const framesBeforeEcho = socket.messages
      .slice(0, socket.messages.indexOf(echo))
      .filter((m) => m.event === 'media');
    expect(framesBeforeEcho.length - sentAtFrame).toBeGreaterThanOrEqual(10);
    expect(played.reduce((a, b) => a + b, 0)).toBe(audio.length);
    expect(session.stats).toMatchObject({ outboundBytes: 1600, playedBytes: 1600, marksEchoed: 1 });
    await session.stop();
  });

  it('clear drops unplayed audio and echoes pending marks at once', async () => {
    const { session, socket } = await open(1);
    const streamSid = session.streamSid;
    const second = Buffer.alloc(8000, 0x33);
    socket.ws.send(
      JSON.stringify({ event: 'media', streamSid, media: { payload: second.toString('base64') } }),
    );
    socket.ws.send(JSON.stringify({ event: 'mark', streamSid, mark: { name: 'a' } }));
    socket.ws.send(
      JSON.stringify({ event: 'media', streamSid, media: { payload: second.toString('base64') } }),
    );
    socket.ws.send(JSON.stringify({ event: 'mark', streamSid, mark: { name: 'b' } }));
    // Both marks have reached the session (it checks on every frame of its clock).
    await onFrameUntil(session, () => session.stats.marksReceived === 2);
    const cleared = new Promise<number>((resolve) => session.on('clear', (dropped) => resolve(dropped)));
    const framesAtClear = socket.messages.filter((m) => m.event === 'media').length;
    socket.ws.send(JSON.stringify({ event: 'clear', streamSid }));
    const dropped = await cleared;
    const b = await socket.next((m) => m.event === 'mark' && (m.mark as { name: string }).name === 'b');
    const echoes = socket.messages
      .filter((m) => m.event === 'mark')
      .map((m) => (m.mark as { name: string }).name);
    expect(echoes).toEqual(['a', 'b']);
    const framesBeforeEcho = socket.messages
      .slice(0, socket.messages.indexOf(b))
      .filter((m) => m.event === 'media');
    expect(framesBeforeEcho.length - framesAtClear).toBeLessThanOrEqual(2);
    expect(dropped).toBeGreaterThan(14_000);
    expect(session.stats.playedBytes + dropped).toBe(16_000);
    expect(session.stats.clears).toBe(1);
    await session.stop();
  });

  it('sends dtmf on the inbound track and reports protocol errors', async () => {
    const { session, socket } = await open();
    session.sendDtmf('5');
    session.sendDtmf('#');
    expect(() => session.sendDtmf('x')).toThrow();
    socket.ws.send(JSON.stringify({ event: 'media', streamSid: 'MZwrong', media: { payload: '' } }));
    socket.ws.send(Buffer.from([1, 2, 3]));
    socket.ws.send('{"event":"bogus"}');
    const dtmf = await socket.next((m) => m.event === 'dtmf' && (m.dtmf as { digit: string }).digit === '#');
    expect(dtmf).toEqual({
      event: 'dtmf',
      streamSid: session.streamSid,
      sequenceNumber: expect.stringMatching(/^\d+$/),
      dtmf: { track: 'inbound_track', digit: '#' },
    });
    await onFrameUntil(session, () => session.protocolErrors.length >= 3);
    expect(session.protocolErrors).toHaveLength(3);
    await session.stop();
  });

  it('counts frames it could not send on time instead of slowing its line clock silently', async () => {
    // 200x real time: a frame every 0.1 ms, which no timer keeps up with.
    const { session } = await open(200);
    await session.until(2000);
    expect(session.stats.lateFrames).toBeGreaterThan(0);
    expect(session.stats.slippedMs).toBeGreaterThan(0);
    expect(session.stats.maxFrameLateMs).toBeGreaterThan(0.1);
    await session.stop();
  });

  it('reports how late its worst frame went out when the event loop stalls', async () => {
    const { session } = await open();
    await session.until(100);
    const blockedUntil = performance.now() + 80;
    while (performance.now() < blockedUntil) {
      // A synchronous stall of the process, as a long query or a GC pause makes.
    }
    await session.until(200);
    expect(session.stats.maxFrameLateMs).toBeGreaterThanOrEqual(60);
    await session.stop();
  });

  it('ends as "server" when the application closes the socket', async () => {
    const { session, socket } = await open();
    socket.ws.close(1000, 'done');
    expect(await session.ended).toMatchObject({ by: 'server', code: 1000, reason: 'done' });
    expect(socket.messages.some((m) => m.event === 'stop')).toBe(false);
  });

  it('reports a refused handshake as Twilio error 31920', async () => {
    const bad = app.url.replace('/media', '/nope');
    await expect(
      MediaStreamSession.connect({ url: bad, accountSid, authToken, callSid }),
    ).rejects.toBeInstanceOf(MediaStreamHandshakeError);
  });
});

/** Resolves at the first frame of the session's clock at which `done()` holds: no wall-clock sleep. */
function onFrameUntil(session: MediaStreamSession, done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (done()) return resolve();
    session.on('played', () => {
      if (done()) resolve();
    });
  });
}
