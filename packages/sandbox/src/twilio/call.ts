import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { newTwilioSid } from './ids.js';
import { Listeners } from './listeners.js';
import { MediaStreamSession, type StreamEnd } from './media-stream-session.js';
import { type DialTarget, type HttpMethod, parseTwiml, type StreamSpec, type TwimlVerb } from './twiml.js';
import { inboundCallParams } from './webhook-params.js';
import {
  DEFAULT_WEBHOOK_RETRY,
  sendTwilioWebhook,
  type TwilioError,
  type WebhookAttempt,
  type WebhookResult,
  type WebhookRetryPolicy,
} from './webhook-request.js';

export type CallStatus =
  | 'queued'
  | 'ringing'
  | 'in-progress'
  | 'completed'
  | 'busy'
  | 'failed'
  | 'no-answer'
  | 'canceled';

/** Who ended the call: the simulated caller, the REST API, the TwiML (`<Hangup>`, end of document), or an error. */
export type CallEndedBy = 'caller' | 'rest' | 'twiml' | 'error';

export interface CallEnd {
  status: CallStatus;
  endedBy: CallEndedBy;
  detail: string;
  /** From answer to end on the call clock (scaled by `speed`). */
  durationMs: number;
  error?: TwilioError;
}

export interface DialOutcome {
  status: 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';
  sipResponseCode: number;
  durationSec: number;
}

export type CallEvent =
  | { type: 'webhook'; attempt: WebhookAttempt }
  | { type: 'twiml'; url: string; verbs: TwimlVerb[] }
  | { type: 'twiml-error'; error: TwilioError }
  | { type: 'say'; text: string }
  | { type: 'pause'; ms: number }
  | { type: 'dial'; targets: DialTarget[]; outcome: DialOutcome }
  | { type: 'start'; stream?: StreamSpec; recording?: Record<string, string> }
  | { type: 'stream-started'; streamSid: string; url: string; customParameters: Record<string, string> }
  | { type: 'stream-error'; url: string; error: TwilioError }
  | { type: 'stream-ended'; streamSid: string; end: StreamEnd }
  | { type: 'callback'; kind: 'status' | 'stream-status'; url: string; status?: number; error?: string }
  | { type: 'rest-update'; params: Record<string, string> }
  | { type: 'ended'; end: CallEnd };

export interface PlaceCallOptions {
  voiceUrl: string;
  voiceMethod?: HttpMethod;
  voiceFallbackUrl?: string;
  accountSid: string;
  authToken: string;
  from: string;
  to: string;
  callSid?: string;
  statusCallbackUrl?: string;
  statusCallbackMethod?: HttpMethod;
  /** Added to (or replacing) the webhook parameters: SIP fields, `CallerName`, `ForwardedFrom`, … */
  params?: Record<string, string>;
  /** Twilio gives up on a webhook after 15 s. */
  webhookTimeoutMs?: number;
  retry?: Partial<WebhookRetryPolicy>;
  /** Clock factor for pauses, `<Say>` and the media stream (1 = real time). */
  speed?: number;
  jitterBufferMs?: number;
  requireWss?: boolean;
  /** What a `<Dial>` leg does in the emulator. */
  dialOutcome?: Partial<DialOutcome>;
  onEvent?: (event: CallEvent) => void;
}

const MAX_DOCUMENTS = 10;
/** Rough speaking rate of Twilio's `<Say>` voices. */
const SAY_MS_PER_CHAR = 75;

type VerbResult =
  | { next: 'continue' }
  | { next: 'fetch'; url: string; method: HttpMethod; params?: Record<string, string> }
  | { next: 'end'; status: CallStatus; detail: string };

type CallListenerEvents = { stream: [session: MediaStreamSession]; ended: [end: CallEnd] };

/**
 * One inbound call as Twilio runs it: the signed voice webhook, then the TwiML verb by verb,
 * including a `<Connect><Stream>` media session, until someone hangs up.
 */
export class EmulatedCall {
  readonly callSid: string;
  readonly accountSid: string;
  readonly from: string;
  readonly to: string;
  /** The parameters of the first webhook; later requests and callbacks reuse them. */
  readonly params: Record<string, string>;
  readonly events: CallEvent[] = [];
  readonly ended: Promise<CallEnd>;
  readonly startedAt = new Date();
  status: CallStatus = 'ringing';
  private statusSequence = 0;
  /** The first TwiML document, once the voice webhook answered. */
  twiml: TwimlVerb[] | undefined;
  stream: MediaStreamSession | undefined;
  endedAt: Date | undefined;
  outcome: CallEnd | undefined;

  private readonly options: PlaceCallOptions;
  private readonly speed: number;
  private readonly retry: WebhookRetryPolicy;
  private readonly listeners = new Listeners<CallListenerEvents>();
  private readonly abort = new AbortController();
  private answeredAt: number | undefined;
  private ending: Promise<CallEnd> | undefined;
  private resolveEnded!: (end: CallEnd) => void;

  constructor(options: PlaceCallOptions) {
    this.options = options;
    this.callSid = options.callSid ?? newTwilioSid('CA');
    this.accountSid = options.accountSid;
    this.from = options.from;
    this.to = options.to;
    this.speed = options.speed ?? 1;
    this.retry = { ...DEFAULT_WEBHOOK_RETRY, ...options.retry };
    this.params = inboundCallParams(
      { accountSid: options.accountSid, callSid: this.callSid, from: options.from, to: options.to },
      options.params,
    );
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  get isActive(): boolean {
    return this.ending === undefined;
  }

  on<K extends keyof CallListenerEvents>(
    event: K,
    listener: (...args: CallListenerEvents[K]) => void,
  ): () => void {
    return this.listeners.on(event, listener);
  }

  /** The current media stream, or the next one to open; rejects if the call ends first. */
  waitForStream(timeoutMs = 15_000): Promise<MediaStreamSession> {
    if (this.stream?.isOpen) return Promise.resolve(this.stream);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no media stream within ${timeoutMs} ms`)), timeoutMs);
      const offStream = this.on('stream', (session) => done(session));
      const offEnded = this.on('ended', (end) =>
        done(new Error(`call ended before a stream opened: ${end.detail}`)),
      );
      const done = (result: MediaStreamSession | Error): void => {
        clearTimeout(timer);
        offStream();
        offEnded();
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
    });
  }

  /** The caller hangs up. */
  hangup(): Promise<CallEnd> {
    return this.finish({ status: 'completed', endedBy: 'caller', detail: 'caller hung up' });
  }

  /** `POST …/Calls/{sid}.json Status=completed`. */
  completeFromRest(): Promise<CallEnd> {
    return this.finish({ status: 'completed', endedBy: 'rest', detail: 'REST Status=completed' });
  }

  recordRestUpdate(params: Record<string, string>): void {
    this.emit({ type: 'rest-update', params });
  }

  /** Sends the voice webhook (then the fallback URL) and parses the TwiML it returns. */
  async answer(): Promise<WebhookResult> {
    let result = await this.request(this.options.voiceUrl, this.options.voiceMethod ?? 'POST', this.params);
    if (!result.ok && this.options.voiceFallbackUrl) {
      const fallbackParams = {
        ...this.params,
        ErrorCode: String(result.error.code),
        ErrorUrl: this.options.voiceUrl,
      };
      result = await this.request(this.options.voiceFallbackUrl, 'POST', fallbackParams);
    }
    return result;
  }

  /** Runs the call from the first webhook answer to its end. */
  async run(first: WebhookResult): Promise<CallEnd> {
    try {
      let response = first;
      for (let documents = 1; ; documents++) {
        if (!this.isActive) break;
        const verbs = this.readTwiml(response);
        if (!verbs) break;
        if (!this.twiml) {
          this.twiml = verbs;
          this.answeredAt = performance.now();
          this.status = 'in-progress';
        }
        const result = await this.runVerbs(verbs);
        if (!this.isActive) break;
        if (result.next === 'end') {
          await this.finish({ status: result.status, endedBy: 'twiml', detail: result.detail });
          break;
        }
        if (result.next === 'continue') {
          await this.finish({ status: 'completed', endedBy: 'twiml', detail: 'end of TwiML' });
          break;
        }
        if (documents >= MAX_DOCUMENTS) {
          const error = { code: 11215, message: 'Too many redirects' };
          await this.finish({ status: 'failed', endedBy: 'error', detail: error.message, error });
          break;
        }
        response = await this.request(result.url, result.method, {
          ...this.params,
          CallStatus: this.status,
          ...result.params,
        });
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.finish({ status: 'failed', endedBy: 'error', detail: message });
    }
    return this.ended;
  }

  private readTwiml(response: WebhookResult): TwimlVerb[] | undefined {
    if (!response.ok) {
      this.emit({ type: 'twiml-error', error: response.error });
      void this.finish({
        status: 'failed',
        endedBy: 'error',
        detail: response.error.message,
        error: response.error,
      });
      return undefined;
    }
    const parsed = parseTwiml(response.body, { requireWss: this.options.requireWss });
    if (!parsed.ok) {
      this.emit({ type: 'twiml-error', error: parsed.error });
      void this.finish({
        status: 'failed',
        endedBy: 'error',
        detail: parsed.error.message,
        error: parsed.error,
      });
      return undefined;
    }
    const lastUrl = response.attempts.at(-1)?.url ?? '';
    this.emit({ type: 'twiml', url: lastUrl, verbs: parsed.verbs });
    return parsed.verbs;
  }

  private async runVerbs(verbs: TwimlVerb[]): Promise<VerbResult> {
    for (const verb of verbs) {
      if (!this.isActive) return { next: 'continue' };
      const result = await this.runVerb(verb);
      if (result.next !== 'continue') return result;
    }
    return { next: 'continue' };
  }

  private async runVerb(verb: TwimlVerb): Promise<VerbResult> {
    switch (verb.verb) {
      case 'Say':
        this.emit({ type: 'say', text: verb.text });
        await this.sleep((verb.text.length * SAY_MS_PER_CHAR * Math.max(1, verb.loop)) / this.speed);
        return { next: 'continue' };
      case 'Play':
        await this.sleep(1000 / this.speed);
        return { next: 'continue' };
      case 'Pause':
        this.emit({ type: 'pause', ms: verb.lengthSec * 1000 });
        await this.sleep((verb.lengthSec * 1000) / this.speed);
        return { next: 'continue' };
      case 'Hangup':
        return { next: 'end', status: 'completed', detail: '<Hangup>' };
      case 'Reject':
        return {
          next: 'end',
          status: verb.reason === 'busy' ? 'busy' : 'no-answer',
          detail: `<Reject reason="${verb.reason}">`,
        };
      case 'Redirect':
        return { next: 'fetch', url: verb.url, method: verb.method };
      case 'Start':
        this.emit({ type: 'start', stream: verb.stream, recording: verb.recording });
        return { next: 'continue' };
      case 'Dial':
        return this.dial(verb);
      case 'Connect':
        return this.connect(verb);
    }
  }

  private dial(verb: Extract<TwimlVerb, { verb: 'Dial' }>): VerbResult {
    const outcome: DialOutcome = {
      status: 'completed',
      sipResponseCode: 200,
      durationSec: 0,
      ...this.options.dialOutcome,
    };
    this.emit({ type: 'dial', targets: verb.targets, outcome });
    if (!verb.action) return { next: 'continue' };
    const params: Record<string, string> = {
      DialCallStatus: outcome.status,
      DialCallSid: newTwilioSid('CA'),
      DialCallDuration: String(outcome.durationSec),
      DialBridged: String(outcome.status === 'completed'),
    };
    if (verb.targets.some((t) => t.kind === 'sip')) {
      params.DialSipCallId = `${randomUUID()}@0.0.0.0`;
      params.DialSipResponseCode = String(outcome.sipResponseCode);
    }
    return { next: 'fetch', url: verb.action, method: verb.method, params };
  }

  private async connect(verb: Extract<TwimlVerb, { verb: 'Connect' }>): Promise<VerbResult> {
    const spec = verb.stream;
    let session: MediaStreamSession;
    try {
      session = await MediaStreamSession.connect({
        url: spec.url,
        accountSid: this.accountSid,
        authToken: this.options.authToken,
        callSid: this.callSid,
        customParameters: spec.parameters,
        speed: this.speed,
        jitterBufferMs: this.options.jitterBufferMs,
      });
    } catch (err) {
      const error = { code: 31920, message: err instanceof Error ? err.message : String(err) };
      this.emit({ type: 'stream-error', url: spec.url, error });
      return verb.action ? { next: 'fetch', url: verb.action, method: verb.method } : { next: 'continue' };
    }
    if (!this.isActive) {
      await session.stop('call ended');
      return { next: 'continue' };
    }
    this.stream = session;
    this.emit({
      type: 'stream-started',
      streamSid: session.streamSid,
      url: spec.url,
      customParameters: spec.parameters,
    });
    this.listeners.emit('stream', session);
    void this.streamStatusCallback(spec, session.streamSid, 'stream-started');
    const end = await session.ended;
    this.emit({ type: 'stream-ended', streamSid: session.streamSid, end });
    await this.streamStatusCallback(spec, session.streamSid, 'stream-stopped');
    if (!this.isActive || end.by === 'twilio') return { next: 'continue' };
    // The application closed the socket: Twilio continues with <Connect action> or the next verb.
    return verb.action ? { next: 'fetch', url: verb.action, method: verb.method } : { next: 'continue' };
  }

  private finish(end: Omit<CallEnd, 'durationMs'>): Promise<CallEnd> {
    if (this.ending) return this.ending;
    this.ending = (async () => {
      this.abort.abort();
      const durationMs =
        this.answeredAt === undefined ? 0 : Math.round((performance.now() - this.answeredAt) * this.speed);
      const outcome: CallEnd = { ...end, durationMs };
      this.status = end.status;
      this.endedAt = new Date();
      this.outcome = outcome;
      if (this.stream?.isOpen) await this.stream.stop(end.detail);
      await this.statusCallback(outcome);
      this.emit({ type: 'ended', end: outcome });
      this.listeners.emit('ended', outcome);
      this.resolveEnded(outcome);
      return outcome;
    })();
    return this.ending;
  }

  private async statusCallback(end: CallEnd): Promise<void> {
    const url = this.options.statusCallbackUrl;
    if (!url) return;
    const params = {
      ...this.params,
      CallStatus: end.status,
      CallDuration: String(Math.round(end.durationMs / 1000)),
      // As Twilio sends them: a per-call counter from 0 (callbacks may arrive out of order), an RFC 2822 time.
      SequenceNumber: String(this.statusSequence++),
      Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
      CallbackSource: 'call-progress-events',
    };
    await this.callback('status', url, this.options.statusCallbackMethod ?? 'POST', params);
  }

  private async streamStatusCallback(spec: StreamSpec, streamSid: string, event: string): Promise<void> {
    if (!spec.statusCallback) return;
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      CallSid: this.callSid,
      StreamSid: streamSid,
      StreamEvent: event,
      Timestamp: new Date().toISOString(),
    };
    if (spec.name) params.StreamName = spec.name;
    await this.callback('stream-status', spec.statusCallback, spec.statusCallbackMethod, params);
  }

  /** Signs and sends one webhook as Twilio does, with a fresh idempotency token. */
  private send(url: string, method: HttpMethod, params: Record<string, string>, retry: typeof this.retry) {
    return sendTwilioWebhook({
      url,
      method,
      params,
      authToken: this.options.authToken,
      timeoutMs: this.options.webhookTimeoutMs ?? 15_000,
      retry,
      idempotencyToken: randomUUID(),
    });
  }

  private async callback(
    kind: 'status' | 'stream-status',
    url: string,
    method: HttpMethod,
    params: Record<string, string>,
  ): Promise<void> {
    const result = await this.send(url, method, params, { maxAttempts: 1, retryOn: [], delayMs: 0 });
    const status = result.attempts.at(-1)?.status;
    const error = result.ok ? undefined : result.error.message;
    this.emit({ type: 'callback', kind, url, status, error });
  }

  private async request(
    url: string,
    method: HttpMethod,
    params: Record<string, string>,
  ): Promise<WebhookResult> {
    const result = await this.send(url, method, params, this.retry);
    for (const attempt of result.attempts) this.emit({ type: 'webhook', attempt });
    return result;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }

  private emit(event: CallEvent): void {
    this.events.push(event);
    this.options.onEvent?.(event);
  }
}

/**
 * Places one inbound call: sends the signed voice webhook, waits for its TwiML, then runs the call
 * in the background. Await `call.waitForStream()` for the media session and `call.ended` for the end.
 */
export async function placeCall(
  options: PlaceCallOptions,
  onCreated?: (call: EmulatedCall) => void,
): Promise<EmulatedCall> {
  const call = new EmulatedCall(options);
  onCreated?.(call);
  const first = await call.answer();
  void call.run(first);
  // run() reads the first document synchronously up to its first await, so `twiml` is set here.
  return call;
}
