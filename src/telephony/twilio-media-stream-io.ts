import WebSocket from 'ws';
import { type AudioTap, type CallIO, type LineEnd, PushAudioInput } from '../runtime/index.js';
import { MediaStreamAudioOutput } from './media-stream-audio-output.js';
import {
  clearMessage,
  markMessage,
  mediaMessage,
  parseStreamMessage,
  type StreamStart,
  type TwilioStreamMessage,
} from './media-stream-messages.js';
import { mulawDecode } from './mulaw.js';

export interface MediaStreamIOOptions {
  leadMs?: number;
  markEveryMs?: number;
}

/**
 * A call carried by a Twilio Media Streams socket (after its `start` message): inbound μ-law
 * becomes the engine's audio input, the engine's audio goes out paced and marked, `stop` or a
 * closed socket ends the line, and hanging up closes the socket, which ends the `<Connect>` verb.
 */
export class TwilioMediaStreamIO implements CallIO {
  readonly transport = 'twilio_media_streams' as const;
  readonly sampleRate = 8000;
  readonly audioInput: PushAudioInput;
  readonly audioOutput: MediaStreamAudioOutput;
  readonly ended: Promise<LineEnd>;

  private resolveEnded!: (end: LineEnd) => void;
  private lineEnd: LineEnd | undefined;
  private mediaMs = 0;
  private tap: AudioTap | undefined;
  private readonly dtmfListeners: ((digit: string) => void)[] = [];

  constructor(
    private readonly ws: WebSocket,
    readonly start: StreamStart,
    options: MediaStreamIOOptions = {},
  ) {
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
    const { streamSid } = start;
    const send = (data: string) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(data);
    };
    this.audioInput = new PushAudioInput(this.sampleRate);
    this.audioOutput = new MediaStreamAudioOutput(
      {
        sendMedia: (mulaw) => send(mediaMessage(streamSid, mulaw)),
        sendMark: (name) => send(markMessage(streamSid, name)),
        sendClear: () => send(clearMessage(streamSid)),
      },
      { leadMs: options.leadMs, markEveryMs: options.markEveryMs, lineClock: () => this.nowMs() },
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const message = parseStreamMessage(data.toString());
      if (message) this.handle(message);
    });
    ws.on('close', () => this.finish({ by: 'transport', reason: 'socket closed' }));
    ws.on('error', () => this.finish({ by: 'transport', reason: 'socket error' }));
  }

  nowMs(): number {
    return this.mediaMs;
  }

  callerAudioSeconds(): number {
    return this.audioInput.deliveredSeconds;
  }

  onDtmf(listener: (digit: string) => void): void {
    this.dtmfListeners.push(listener);
  }

  setTap(tap: AudioTap | undefined): void {
    this.tap = tap;
    this.audioOutput.tap = tap;
  }

  async hangup(reason: string): Promise<void> {
    this.finish({ by: 'agent', reason });
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(1000, 'hangup');
    }
  }

  release(): boolean {
    const cut = this.audioOutput.lineEnded();
    this.audioInput.end();
    return cut;
  }

  private handle(message: TwilioStreamMessage): void {
    switch (message.event) {
      case 'media': {
        const pcm = mulawDecode(Buffer.from(message.media.payload, 'base64'));
        const at = Number(message.media.timestamp);
        const atMs = Number.isFinite(at) ? at : this.mediaMs;
        this.tap?.caller(pcm, atMs);
        this.mediaMs = Math.max(this.mediaMs, atMs + (pcm.length / this.sampleRate) * 1000);
        this.audioInput.push(pcm);
        return;
      }
      case 'mark':
        this.audioOutput.markPlayed(message.mark.name);
        return;
      case 'dtmf':
        for (const listener of this.dtmfListeners) listener(message.dtmf.digit);
        return;
      case 'stop':
        this.finish({ by: 'caller', reason: 'stop' });
        return;
      default:
        return;
    }
  }

  private finish(end: LineEnd): void {
    if (this.lineEnd) return;
    this.lineEnd = end;
    this.resolveEnded(end);
  }
}
