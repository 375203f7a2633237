import { createHash } from 'node:crypto';
import type { WebSocket } from 'ws';
import { silence } from '../audio/index.js';
import { AudioInput, mixDown } from './audio-input.js';
import { ChannelTranscriber } from './channel-transcriber.js';
import type { DeepgramConnectionRecord } from './key-state.js';
import type { ListenParams } from './listen-params.js';
import { type ModelDescription, metadataMessage, type ServerMessage } from './messages.js';

export interface SessionFaults {
  drop?: { afterMs?: number; afterUtterances?: number; mode: 'abrupt' | 'error' };
  resultDelayMs: number;
  noEndpoint?: boolean;
}

export interface ListenSessionOptions {
  params: ListenParams;
  requestId: string;
  model: ModelDescription;
  record: DeepgramConnectionRecord;
  faults: SessionFaults;
  idleTimeoutMs: number;
  /** When set, a pause of this long in incoming audio counts as that much silence. */
  stallAsSilenceMs: number | undefined;
  now: () => number;
  onClosed: () => void;
}

type ClientMessage = { type: 'KeepAlive' } | { type: 'Finalize' } | { type: 'CloseStream' };

/** One live transcription socket: audio in, Deepgram messages out, with the connection's faults. */
export class ListenSession {
  private readonly input: AudioInput;
  private readonly transcribers: ChannelTranscriber[];
  private readonly sha256 = createHash('sha256');
  private readonly timers = new Set<NodeJS.Timeout>();
  private idleTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private finishedUtterances = 0;
  /** No more input is read once the stream is closing. */
  private closing = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: ListenSessionOptions,
  ) {
    const { params, requestId, model } = options;
    this.input = new AudioInput(params.encoding, params.channels);
    const outputs = params.multichannel ? params.channels : 1;
    this.transcribers = Array.from(
      { length: outputs },
      (_, channel) =>
        new ChannelTranscriber(
          { params, channel, channels: outputs, requestId, model, noEndpoint: options.faults.noEndpoint },
          {
            send: (message) => this.send(message),
            utteranceFinalized: (text) => this.onUtteranceFinalized(text),
          },
        ),
    );
    ws.on('message', (data, isBinary) => this.onMessage(toBuffer(data), isBinary));
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    ws.on('error', () => ws.terminate());
    this.touch();
    const dropAfterMs = options.faults.drop?.afterMs;
    if (dropAfterMs !== undefined) this.later(dropAfterMs, () => this.drop());
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closing) return;
    if (isBinary) {
      if (data.length === 0) {
        this.closeAfterOutput(1002, 'DATA-0000');
        return;
      }
      this.touch();
      this.onAudio(data);
      return;
    }
    const message = parseClientMessage(data.toString('utf8'));
    if (!message) return;
    this.touch();
    if (message.type === 'Finalize') for (const t of this.transcribers) t.finalize();
    if (message.type === 'CloseStream') this.closeStream();
  }

  private onAudio(data: Buffer): void {
    const { record, params } = this.options;
    this.sha256.update(data);
    record.audioBytes += data.length;
    record.audioSeconds = record.audioBytes / this.input.bytesPerSecond(params.sampleRate);
    const channels = this.input.push(data);
    if (params.multichannel) for (const [c, pcm] of channels.entries()) this.transcribers[c]!.push(pcm);
    else this.transcribers[0]!.push(mixDown(channels));
    this.armStallTimer();
  }

  private closeStream(): void {
    for (const t of this.transcribers) t.close();
    const { requestId, model, record, params } = this.options;
    this.send(
      metadataMessage({
        requestId,
        sha256: this.sha256.digest('hex'),
        created: new Date(record.openedAt),
        durationSeconds: record.audioSeconds,
        channels: params.channels,
        model,
      }),
    );
    this.closeAfterOutput(1000, '');
  }

  private onUtteranceFinalized(text: string): void {
    this.options.record.utterances.push(text);
    this.finishedUtterances++;
    const afterUtterances = this.options.faults.drop?.afterUtterances;
    if (afterUtterances !== undefined && this.finishedUtterances === afterUtterances) {
      this.closing = true;
      this.afterOutput(() => this.drop());
    }
  }

  private drop(): void {
    this.closing = true;
    if (this.options.faults.drop?.mode === 'error') this.close(1011, 'NET-0000');
    else this.ws.terminate();
  }

  /** Sends in order; with `resultDelayMs` every message waits that long (equal timeouts keep order). */
  private send(message: ServerMessage): void {
    this.afterOutput(() => {
      if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
    });
  }

  private afterOutput(action: () => void): void {
    const delay = this.options.faults.resultDelayMs;
    if (delay > 0) this.later(delay, action);
    else action();
  }

  private closeAfterOutput(code: number, reason: string): void {
    this.closing = true;
    this.afterOutput(() => this.close(code, reason));
  }

  private close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
  }

  /** Any client activity restarts the idle timeout (Deepgram's NET-0001 after 10 s). */
  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (!this.closing) this.closeAfterOutput(1011, 'NET-0001');
    }, this.options.idleTimeoutMs);
  }

  private armStallTimer(): void {
    const stallMs = this.options.stallAsSilenceMs;
    if (stallMs === undefined) return;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      if (this.closing) return;
      const gap = silence(stallMs, this.options.params.sampleRate);
      for (const t of this.transcribers) t.push(gap);
      this.armStallTimer();
    }, stallMs);
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private onClose(code: number, reason: string): void {
    this.closing = true;
    for (const timer of this.timers) clearTimeout(timer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.stallTimer) clearTimeout(this.stallTimer);
    const { record } = this.options;
    record.closedAt = this.options.now();
    record.closeCode = code;
    record.closeReason = reason;
    this.options.onClosed();
  }
}

function parseClientMessage(text: string): ClientMessage | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || !('type' in parsed)) return undefined;
    const { type } = parsed;
    if (type === 'KeepAlive' || type === 'Finalize' || type === 'CloseStream') return { type };
  } catch {
    // Not JSON: Deepgram ignores it too.
  }
  return undefined;
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
