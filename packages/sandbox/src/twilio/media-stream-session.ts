import { performance } from 'node:perf_hooks';
import WebSocket, { type RawData } from 'ws';
import { newTwilioSid } from './ids.js';
import { Listeners } from './listeners.js';
import {
  AppStreamMessage,
  type ConnectedMessage,
  DTMF_DIGIT,
  type StartMessage,
  type TwilioStreamMessage,
} from './media-stream-messages.js';
import { PlayoutBuffer } from './playout-buffer.js';
import { twilioSignature } from './signature.js';

export const MULAW_SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
/** 20 ms of μ-law at 8 kHz. */
export const FRAME_BYTES = 160;
/** μ-law code for a zero sample. */
export const MULAW_SILENCE = 0xff;
/** Frames run at most per timer wake-up; beyond that the stream clock slips. */
const MAX_CATCH_UP_FRAMES = 2;

export interface MediaStreamOptions {
  /** The `<Stream url>`; it is also the string signed for `X-Twilio-Signature` (with no params). */
  url: string;
  accountSid: string;
  authToken: string;
  callSid: string;
  streamSid?: string;
  customParameters?: Record<string, string>;
  /** Clock factor: 1 is real time, 4 plays and sends audio four times faster. */
  speed?: number;
  /**
   * Wall-clock ms of outbound audio Twilio's jitter buffer gathers after running dry before it
   * plays (default 60).
   */
  jitterBufferMs?: number;
  connectTimeoutMs?: number;
}

export type StreamEndedBy = 'twilio' | 'server' | 'error';
export interface StreamEnd {
  /** `twilio`: we sent `stop` (caller hung up, REST hang-up); `server`: the application closed. */
  by: StreamEndedBy;
  code: number;
  reason: string;
  atMs: number;
}

export interface StreamStats {
  framesSent: number;
  outboundBytes: number;
  playedBytes: number;
  marksReceived: number;
  marksEchoed: number;
  clears: number;
  droppedBytes: number;
  /**
   * Frames that went out more than one frame period after their time on the line clock: this
   * process could not keep real-time pace (CPU load). Overload shows here, not as a quietly slower line.
   */
  lateFrames: number;
  /** Line time the stream clock gave up to stay behind its timer (frames never burst), ms. */
  slippedMs: number;
  /**
   * The latest any frame went out after its time on the line clock, wall-clock ms: the worst stall
   * of this process's timers while the call ran (a frame period or less keeps the line in time).
   */
  maxFrameLateMs: number;
}

type SessionEvents = {
  /** One frame of the line towards the caller: 160 μ-law bytes, silence where nothing played. */
  played: [frame: Buffer, atMs: number, audioBytes: number];
  mark: [name: string, atMs: number];
  clear: [droppedBytes: number, atMs: number];
  dtmf: [digit: string, atMs: number];
  ended: [end: StreamEnd];
};

export class MediaStreamHandshakeError extends Error {
  /** Twilio error 31920: Stream - WebSocket - Handshake Error. */
  readonly code = 31920;
}

/**
 * Twilio's side of one bidirectional Media Streams socket. It opens the socket, sends `connected`
 * and `start`, then runs a frame clock: every 20 ms (divided by `speed`) it sends one 160-byte
 * inbound `media` frame (the caller's queued audio, or line silence), plays one frame of the
 * application's audio and echoes the marks that playback has reached.
 */
export class MediaStreamSession {
  readonly streamSid: string;
  readonly callSid: string;
  readonly accountSid: string;
  readonly customParameters: Record<string, string>;
  readonly stats: StreamStats = {
    framesSent: 0,
    outboundBytes: 0,
    playedBytes: 0,
    marksReceived: 0,
    marksEchoed: 0,
    clears: 0,
    droppedBytes: 0,
    lateFrames: 0,
    slippedMs: 0,
    maxFrameLateMs: 0,
  };
  /** Messages from the application that broke the protocol (wrong streamSid, binary, bad JSON). */
  readonly protocolErrors: string[] = [];
  readonly ended: Promise<StreamEnd>;

  private readonly listeners = new Listeners<SessionEvents>();
  private readonly playout: PlayoutBuffer;
  /** Clock factor: media ms per wall-clock ms. */
  readonly speed: number;
  private inbound: Buffer[] = [];
  private inboundOffset = 0;
  private inboundBytes = 0;
  private drainWaiters: (() => void)[] = [];
  private timers: { atMs: number; resolve: () => void }[] = [];
  private sequence = 0;
  private frameIndex = 0;
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private resolveEnded!: (end: StreamEnd) => void;

  private constructor(
    private readonly ws: WebSocket,
    options: MediaStreamOptions,
  ) {
    this.streamSid = options.streamSid ?? newTwilioSid('MZ');
    this.callSid = options.callSid;
    this.accountSid = options.accountSid;
    this.customParameters = { ...options.customParameters };
    this.speed = options.speed ?? 1;
    // Network jitter happens in wall-clock time, so at `speed` N the buffer holds N times more audio.
    const jitterFrames = Math.ceil(((options.jitterBufferMs ?? 60) * this.speed) / FRAME_MS);
    this.playout = new PlayoutBuffer(FRAME_BYTES, jitterFrames * FRAME_BYTES, jitterFrames);
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  static async connect(options: MediaStreamOptions): Promise<MediaStreamSession> {
    const signature = twilioSignature(options.authToken, options.url, {});
    const ws = new WebSocket(options.url, {
      headers: { 'X-Twilio-Signature': signature },
      handshakeTimeout: options.connectTimeoutMs ?? 10_000,
    });
    // Errors after the handshake are handled by the session; this keeps a late one from throwing.
    ws.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        ws.terminate();
        reject(new MediaStreamHandshakeError(`stream handshake answered HTTP ${res.statusCode}`));
      });
      ws.once('error', (err) =>
        reject(new MediaStreamHandshakeError(`stream handshake failed: ${err.message}`)),
      );
    });
    const session = new MediaStreamSession(ws, options);
    session.begin();
    return session;
  }

  on<K extends keyof SessionEvents>(event: K, listener: (...args: SessionEvents[K]) => void): () => void {
    return this.listeners.on(event, listener);
  }

  get isOpen(): boolean {
    return !this.finished;
  }

  /** Media time since `start`, in ms, on the (possibly accelerated) stream clock. */
  nowMs(): number {
    return this.frameIndex * FRAME_MS;
  }

  get queuedInboundBytes(): number {
    return this.inboundBytes;
  }

  get bufferedOutboundBytes(): number {
    return this.playout.bufferedBytes;
  }

  /** Queues the caller's μ-law audio; it goes out in 160-byte frames on the frame clock. */
  sendAudio(mulaw: Uint8Array): void {
    if (this.finished || mulaw.length === 0) return;
    this.inbound.push(Buffer.from(mulaw));
    this.inboundBytes += mulaw.length;
  }

  /** Resolves once every queued caller byte has been sent (or the stream ended). */
  inboundDrained(): Promise<void> {
    if (this.inboundBytes === 0 || this.finished) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Resolves when the stream clock reaches `atMs` (or the stream ended). */
  until(atMs: number): Promise<void> {
    if (atMs <= this.nowMs() || this.finished) return Promise.resolve();
    return new Promise((resolve) => {
      this.timers.push({ atMs, resolve });
    });
  }

  sleep(ms: number): Promise<void> {
    return this.until(this.nowMs() + ms);
  }

  sendDtmf(digit: string): void {
    if (!DTMF_DIGIT.test(digit)) throw new Error(`not a DTMF digit: ${digit}`);
    if (this.finished) return;
    this.send({
      event: 'dtmf',
      streamSid: this.streamSid,
      sequenceNumber: this.nextSequence(),
      dtmf: { track: 'inbound_track', digit },
    });
    this.listeners.emit('dtmf', digit, this.nowMs());
  }

  /** Ends the stream from Twilio's side: `stop`, then a normal close. */
  async stop(reason = 'stopped'): Promise<StreamEnd> {
    if (!this.finished) {
      this.send({
        event: 'stop',
        sequenceNumber: this.nextSequence(),
        stop: { accountSid: this.accountSid, callSid: this.callSid },
        streamSid: this.streamSid,
      });
      this.finish({ by: 'twilio', code: 1000, reason, atMs: this.nowMs() });
      this.ws.close(1000, reason);
    }
    return this.ended;
  }

  private begin(): void {
    const connected: ConnectedMessage = { event: 'connected', protocol: 'Call', version: '1.0.0' };
    this.send(connected);
    const start: StartMessage = {
      event: 'start',
      sequenceNumber: this.nextSequence(),
      start: {
        accountSid: this.accountSid,
        streamSid: this.streamSid,
        callSid: this.callSid,
        tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: MULAW_SAMPLE_RATE, channels: 1 },
        customParameters: this.customParameters,
      },
      streamSid: this.streamSid,
    };
    this.send(start);
    this.ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.ws.on('close', (code, reason) => {
      this.finish({ by: 'server', code, reason: reason.toString(), atMs: this.nowMs() });
    });
    this.ws.on('error', (err) => {
      this.finish({ by: 'error', code: 1006, reason: err.message, atMs: this.nowMs() });
    });
    this.startedAt = performance.now();
    this.schedule();
  }

  private schedule(): void {
    if (this.finished) return;
    const nextAt = this.startedAt + ((this.frameIndex + 1) * FRAME_MS) / this.speed;
    // The frames play after the event loop's poll phase: audio that reached the socket while this
    // process was busy is read first, as a line plays what arrived before a frame's time (a stall of
    // the emulator must not starve the line of audio the application sent in time).
    this.timer = setTimeout(
      () => setImmediate(() => this.runDueFrames()),
      Math.max(0, nextAt - performance.now()),
    );
  }

  private runDueFrames(): void {
    const now = performance.now();
    // The first frame this wake-up sends was due one frame period after the last one sent.
    const late = now - (this.startedAt + ((this.frameIndex + 1) * FRAME_MS) / this.speed);
    if (late > this.stats.maxFrameLateMs) this.stats.maxFrameLateMs = late;
    let due = Math.floor(((now - this.startedAt) * this.speed) / FRAME_MS);
    // Every frame past the first one due now is more than a frame period late.
    if (due - this.frameIndex > 1) this.stats.lateFrames += due - this.frameIndex - 1;
    if (due - this.frameIndex > MAX_CATCH_UP_FRAMES) {
      // This process fell behind (timers late under CPU load). Bursting the missed frames would
      // play audio whose arrival is still queued behind this timer, so the stream clock slips; the
      // lateness is counted in `stats` so the caller of the emulator sees the overload.
      const slipped = due - this.frameIndex - MAX_CATCH_UP_FRAMES;
      this.stats.slippedMs += slipped * FRAME_MS;
      this.startedAt += (slipped * FRAME_MS) / this.speed;
      due = this.frameIndex + MAX_CATCH_UP_FRAMES;
    }
    while (this.frameIndex < due && !this.finished) this.tick();
    this.schedule();
  }

  private tick(): void {
    const atMs = this.nowMs();
    const frame = this.playout.nextFrame();
    for (const name of frame.marks) this.echoMark(name);
    this.sendInboundFrame(atMs);

    const line = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
    frame.audio.copy(line);
    this.stats.playedBytes += frame.audio.length;
    this.frameIndex++;
    this.listeners.emit('played', line, atMs, frame.audio.length);

    const now = this.nowMs();
    const due = this.timers.filter((t) => t.atMs <= now);
    if (due.length > 0) {
      this.timers = this.timers.filter((t) => t.atMs > now);
      for (const t of due) t.resolve();
    }
  }

  private sendInboundFrame(atMs: number): void {
    const payload = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
    let filled = 0;
    while (filled < FRAME_BYTES && this.inbound.length > 0) {
      const head = this.inbound[0]!;
      const n = Math.min(FRAME_BYTES - filled, head.length - this.inboundOffset);
      head.copy(payload, filled, this.inboundOffset, this.inboundOffset + n);
      filled += n;
      this.inboundOffset += n;
      if (this.inboundOffset === head.length) {
        this.inbound.shift();
        this.inboundOffset = 0;
      }
    }
    this.inboundBytes -= filled;
    this.stats.framesSent++;
    this.send({
      event: 'media',
      sequenceNumber: this.nextSequence(),
      media: {
        track: 'inbound',
        chunk: String(this.stats.framesSent),
        timestamp: String(atMs),
        payload: payload.toString('base64'),
      },
      streamSid: this.streamSid,
    });
    if (this.inboundBytes === 0 && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private echoMark(name: string): void {
    this.stats.marksEchoed++;
    this.send({
      event: 'mark',
      sequenceNumber: this.nextSequence(),
      streamSid: this.streamSid,
      mark: { name },
    });
    this.listeners.emit('mark', name, this.nowMs());
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.finished) return;
    if (isBinary) {
      this.protocolErrors.push('binary frame received (Media Streams uses JSON text frames)');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      this.protocolErrors.push('message is not JSON');
      return;
    }
    const parsed = AppStreamMessage.safeParse(json);
    if (!parsed.success) {
      this.protocolErrors.push(`unexpected message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const message = parsed.data;
    if (message.streamSid !== this.streamSid) {
      this.protocolErrors.push(`${message.event} for unknown streamSid ${message.streamSid}`);
      return;
    }
    switch (message.event) {
      case 'media': {
        const bytes = Buffer.from(message.media.payload, 'base64');
        this.stats.outboundBytes += bytes.length;
        this.playout.pushAudio(bytes);
        break;
      }
      case 'mark':
        this.stats.marksReceived++;
        this.playout.pushMark(message.mark.name);
        break;
      case 'clear': {
        const { droppedBytes, marks } = this.playout.clear();
        this.stats.clears++;
        this.stats.droppedBytes += droppedBytes;
        for (const name of marks) this.echoMark(name);
        this.listeners.emit('clear', droppedBytes, this.nowMs());
        break;
      }
    }
  }

  private nextSequence(): string {
    this.sequence++;
    return String(this.sequence);
  }

  private send(message: TwilioStreamMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private finish(end: StreamEnd): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    for (const resolve of this.drainWaiters) resolve();
    for (const t of this.timers) t.resolve();
    this.drainWaiters = [];
    this.timers = [];
    this.listeners.emit('ended', end);
    this.resolveEnded(end);
  }
}
