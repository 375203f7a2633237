import {
  APIConnectionError,
  type APIConnectOptions,
  type APIError,
  APIStatusError,
  APITimeoutError,
  DEFAULT_API_CONNECT_OPTIONS,
  delay,
  intervalForRetry,
  shortuuid,
  tts,
} from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { PcmFramer } from './pcm-framer.js';
import type { RimeTTSOptions } from './rime-options.js';
import { RimeWs3Stream } from './rime-ws3-stream.js';

export type { RimeTTSOptions } from './rime-options.js';

/**
 * Rime text-to-speech for the LiveKit pipeline. Over HTTP the response body is read as it streams
 * (PCM16 at `sampleRate`), so the first audio goes out before the sentence is fully synthesized.
 */
export class RimeTTS extends tts.TTS {
  label = 'rime.TTS';
  readonly options: Readonly<RimeTTSOptions>;

  constructor(options: RimeTTSOptions) {
    const transport = options.transport ?? 'http';
    if (transport === 'ws3' && !options.wsUrl) throw new Error('RimeTTS: ws3 transport needs wsUrl');
    super(options.sampleRate, 1, { streaming: transport === 'ws3' });
    this.options = { ...options, transport };
  }

  override get model(): string {
    return this.options.modelId;
  }

  override get provider(): string {
    return 'rime';
  }

  synthesize(text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal): RimeChunkedStream {
    return new RimeChunkedStream(this, text, connOptions, abortSignal);
  }

  stream(options?: { connOptions?: APIConnectOptions }): tts.SynthesizeStream {
    if (this.options.transport !== 'ws3') throw new Error('RimeTTS: streaming needs the ws3 transport');
    return new RimeWs3Stream(this, this.options, options?.connOptions);
  }
}

/**
 * One sentence over `POST /v1/rime-tts`, read incrementally. Retries happen here rather than in the
 * framework's ChunkedStream loop: when that loop gives up it rethrows from a promise nobody awaits,
 * an unhandled rejection that would take the whole server down. So this never throws; a final
 * failure is reported as the TTS `error` event, which is what the session reacts to.
 */
export class RimeChunkedStream extends tts.ChunkedStream {
  label = 'rime.ChunkedStream';
  private readonly conn: APIConnectOptions;

  constructor(
    private readonly rime: RimeTTS,
    text: string,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ) {
    super(text, rime, connOptions, abortSignal);
    this.conn = connOptions ?? DEFAULT_API_CONNECT_OPTIONS;
  }

  protected async run(): Promise<void> {
    try {
      for (let attempt = 0; ; attempt++) {
        const outcome = await this.attempt();
        if (outcome.ok || this.abortSignal.aborted) return;
        const { error, emitted } = outcome;
        if (!error.retryable || emitted > 0 || attempt >= this.conn.maxRetry) {
          reportError(this.rime, error);
          return;
        }
        await delay(intervalForRetry(this.conn, attempt), { signal: this.abortSignal }).catch(() => {});
      }
    } finally {
      this.queue.close();
    }
  }

  private async attempt(): Promise<{ ok: true } | { ok: false; error: APIError; emitted: number }> {
    const { options } = this.rime;
    const requestId = shortuuid();
    const connect = new AbortController();
    const timer = setTimeout(() => connect.abort(), options.connectTimeoutMs ?? this.conn.timeoutMs);
    const signal = AbortSignal.any([this.abortSignal, connect.signal]);
    let emitted = 0;
    try {
      const res = await fetch(`${options.baseUrl}/v1/rime-tts`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          accept: 'audio/pcm',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          speaker: options.speaker,
          text: this.inputText,
          modelId: options.modelId,
          samplingRate: options.sampleRate,
          ...(options.lang ? { lang: options.lang } : {}),
          ...(options.speedAlpha ? { speedAlpha: options.speedAlpha } : {}),
        }),
        signal,
      });
      clearTimeout(timer);
      if (!res.ok || !res.body) {
        const body = await res.text().catch(() => '');
        const error = new APIStatusError({
          message: 'Rime TTS request failed',
          options: { statusCode: res.status, body: { text: body.slice(0, 200) } },
        });
        return { ok: false, error, emitted };
      }
      if (!(res.headers.get('content-type') ?? '').startsWith('audio/')) {
        const error = new APIStatusError({
          message: 'Rime TTS answered without audio',
          options: { statusCode: res.status, retryable: false },
        });
        return { ok: false, error, emitted };
      }
      const framer = new PcmFramer(options.sampleRate);
      let last: AudioFrame | undefined;
      const put = (frame: AudioFrame) => {
        if (last) this.queue.put({ requestId, segmentId: requestId, frame: last, final: false });
        last = frame;
        emitted++;
      };
      for await (const chunk of res.body) {
        for (const frame of framer.push(chunk)) put(frame);
      }
      for (const frame of framer.flush()) put(frame);
      if (last) this.queue.put({ requestId, segmentId: requestId, frame: last, final: true });
      return { ok: true };
    } catch {
      if (this.abortSignal.aborted) return { ok: true };
      const error = connect.signal.aborted
        ? new APITimeoutError({ message: 'Rime TTS timed out' })
        : new APIConnectionError({ message: 'Rime TTS connection failed' });
      return { ok: false, error, emitted };
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Reports a final failure as the TTS `error` event (the session listens for it). The framework's
 * sentence adapter around a non-streaming TTS re-emits the event on itself without a listener,
 * which makes EventEmitter throw; that throw is the adapter's, after the session was told.
 */
function reportError(rime: RimeTTS, error: APIError): void {
  try {
    rime.emit('error', {
      type: 'tts_error',
      timestamp: Date.now(),
      label: rime.label,
      error,
      recoverable: false,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_UNHANDLED_ERROR') throw err;
  }
}
