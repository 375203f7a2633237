import type { IncomingMessage } from 'node:http';
import twilio from 'twilio';
import type WebSocket from 'ws';
import { finalizeCall } from '../analytics/index.js';
import type { NumberResolution } from '../control/index.js';
import type { CallEndReason } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { PublicUrl } from '../lib/public-url.js';
import {
  admitInboundCall,
  type CallRow,
  type CallWorker,
  findCallById,
  findCallBySid,
  handOffCallConfig,
  type RejectReason,
  recordTelephonyStatus,
  takeCallConfig,
  waitForCallEnd,
} from '../runtime/index.js';
import { acceptMediaStream } from './accept-media-stream.js';
import { SIP_HEADERS } from './livekit/sip-headers.js';
import { StreamTokens } from './stream-token.js';
import { TwilioMediaStreamIO } from './twilio-media-stream-io.js';
import { connectStreamTwiml, dialSipTwiml, hangupTwiml, sayAndHangupTwiml } from './twiml.js';

export interface VoiceServiceOptions {
  /** The public base URL Twilio reaches us at (signatures are computed over it). */
  publicUrl: PublicUrl;
  twilioAuthToken: string | undefined;
  transport: 'media_streams' | 'livekit';
  streamTokenTtlMs: number;
  livekit?: { sipUri: string | undefined; sipUsername?: string; sipPassword?: string };
  resolveNumber: (e164: string, callSid: string) => Promise<NumberResolution>;
  worker: CallWorker;
  media?: { leadMs?: number; markEveryMs?: number };
}

export const MEDIA_PATH = '/twilio/media';
export const VOICE_PATH = '/twilio/voice';
export const STATUS_PATH = '/twilio/status';
export const CONNECT_ACTION_PATH = '/twilio/connect-action';

/** How long connect-action waits for the engine to record the end before answering anyway. */
const END_RECORDED_WITHIN_MS = 5_000;

const SORRY_UNAVAILABLE = "Sorry, we can't take your call right now. Please try again later. Goodbye.";
const SORRY_BUSY = 'All our lines are busy right now. Please call again in a few minutes. Goodbye.';
const SORRY_UNKNOWN = 'Sorry, this number is not in service. Goodbye.';
const SORRY_FAILED = 'Sorry, something went wrong on our side. Please call again later. Goodbye.';

const REJECT_PHRASES: Record<RejectReason, string> = {
  unknown_number: SORRY_UNKNOWN,
  tenant_suspended: SORRY_UNAVAILABLE,
  no_agent: SORRY_UNAVAILABLE,
  no_published_version: SORRY_UNAVAILABLE,
  over_concurrent_limit: SORRY_BUSY,
  worker_busy: SORRY_BUSY,
};

/** Failures after which the agent's own voice already apologised (its TTS still worked). */
const SPOKE_APOLOGY: ReadonlySet<CallEndReason | null> = new Set(['llm_error', 'stt_error']);

/**
 * The Twilio side of the runtime plane: signed webhooks in, TwiML out, and the Media Streams
 * sockets that carry admitted calls to the call worker. HTTP routes are thin adapters over it.
 */
export class VoiceService {
  private readonly tokens: StreamTokens | undefined;

  constructor(
    private readonly deps: Deps,
    readonly options: VoiceServiceOptions,
  ) {
    this.tokens = options.twilioAuthToken
      ? new StreamTokens(options.twilioAuthToken, options.streamTokenTtlMs)
      : undefined;
  }

  get worker(): CallWorker {
    return this.options.worker;
  }

  private get streamUrl(): string {
    return `${this.options.publicUrl.get().replace(/^http/, 'ws')}${MEDIA_PATH}`;
  }

  /** Whether a webhook request carries Twilio's signature over the public URL it was sent to. */
  validSignature(
    pathAndQuery: string,
    signature: string | undefined,
    params: Record<string, string>,
  ): boolean {
    const token = this.options.twilioAuthToken;
    if (!token || !signature) return false;
    return twilio.validateRequest(token, signature, `${this.options.publicUrl.get()}${pathAndQuery}`, params);
  }

  /** `POST /twilio/voice`: admits (or refuses) the call and answers its TwiML. */
  async voiceWebhook(params: Record<string, string>): Promise<string> {
    const callSid = params.CallSid ?? '';
    const to = params.To ?? params.Called ?? '';
    const log = this.deps.log.child({ callSid });
    const admission = await admitInboundCall(
      this.deps,
      {
        callSid,
        from: params.From ?? null,
        to,
        transport: this.options.transport === 'livekit' ? 'livekit' : 'twilio_media_streams',
      },
      this.options.resolveNumber,
      this.options.worker,
    );
    switch (admission.kind) {
      case 'existing':
        log.info({ callId: admission.call.id, status: admission.call.status }, 'voice webhook retried');
        return this.twimlFor(admission.call);
      case 'reject':
        log.info({ callId: admission.call?.id, reason: admission.reason }, 'inbound call refused');
        // A refused call counts in its day's KPIs.
        if (admission.call) {
          await finalizeCall(this.deps, admission.call).catch((err: unknown) =>
            log.error({ err }, 'call metrics could not be computed'),
          );
        }
        return sayAndHangupTwiml(REJECT_PHRASES[admission.reason]);
      case 'connect': {
        await handOffCallConfig(
          this.deps.store,
          admission.call.id,
          { ...admission.resolution.liveVersion.config, testCall: admission.resolution.testCall === true },
          this.options.streamTokenTtlMs,
        );
        log.info({ callId: admission.call.id, tenantId: admission.call.tenantId }, 'inbound call admitted');
        return this.twimlFor(admission.call);
      }
    }
  }

  /** `POST /twilio/status`: Twilio's call status callback. */
  async statusCallback(params: Record<string, string>): Promise<void> {
    const duration = Number(params.CallDuration);
    const sequence = /^\d{1,9}$/.test(params.SequenceNumber ?? '')
      ? Number(params.SequenceNumber)
      : undefined;
    await recordTelephonyStatus(this.deps, {
      callSid: params.CallSid ?? '',
      status: params.CallStatus ?? 'unknown',
      durationS: params.CallDuration !== undefined && Number.isFinite(duration) ? duration : undefined,
      sequence,
    });
  }

  /**
   * `POST /twilio/connect-action`: Twilio asks what to do once our media socket closed. A call the
   * engine ended as failed gets an apology in Twilio's own voice (ours may be what failed).
   */
  async connectAction(params: Record<string, string>): Promise<string> {
    const call = await findCallBySid(this.deps, params.CallSid ?? '');
    if (!call) return hangupTwiml();
    // The engine records the end just after the socket closes, which is what made Twilio ask.
    const ended = (await waitForCallEnd(this.deps, call.id, END_RECORDED_WITHIN_MS)) ?? call;
    // Refused when its media reached a worker that was full or draining.
    if (ended.status === 'rejected') return this.twimlFor(ended);
    return ended.status === 'failed' && !(ended.endReason && SPOKE_APOLOGY.has(ended.endReason))
      ? sayAndHangupTwiml(SORRY_FAILED)
      : hangupTwiml();
  }

  /** Whether an upgrade to the media path carries Twilio's signature over our stream URL. */
  validStreamUpgrade(req: IncomingMessage): boolean {
    const token = this.options.twilioAuthToken;
    const signature = req.headers['x-twilio-signature'];
    if (!token || typeof signature !== 'string') return false;
    return twilio.validateRequest(token, signature, this.streamUrl, {});
  }

  /**
   * A Media Streams socket: its `start` must name an admitted, ringing call with a valid token;
   * then the call runs on this worker until it ends.
   */
  async acceptMediaSocket(ws: WebSocket): Promise<void> {
    const log = this.deps.log.child({ component: 'media-stream' });
    let start: Awaited<ReturnType<typeof acceptMediaStream>>;
    try {
      start = await acceptMediaStream(ws);
    } catch (err) {
      log.warn({ err }, 'media stream closed before start');
      ws.terminate();
      return;
    }
    const callId = start.customParameters.callId ?? '';
    const token = start.customParameters.token ?? '';
    const call = this.tokens?.verify(callId, token, this.deps.now())
      ? await findCallById(this.deps, callId)
      : undefined;
    const config = call ? await takeCallConfig(this.deps.store, call.id) : undefined;
    if (!call || call.twilioCallSid !== start.callSid || call.status !== 'ringing' || !config) {
      log.warn({ callId, callSid: start.callSid, status: call?.status }, 'media stream refused');
      ws.close(1008, 'call not admitted');
      return;
    }
    const io = new TwilioMediaStreamIO(ws, start, this.options.media);
    await this.options.worker.run(call, config, io);
  }

  private twimlFor(call: CallRow): string {
    if (call.status === 'rejected') {
      return sayAndHangupTwiml(
        (call.endReason && call.endReason in REJECT_PHRASES
          ? REJECT_PHRASES[call.endReason as RejectReason]
          : undefined) ?? SORRY_UNAVAILABLE,
      );
    }
    if (call.status !== 'ringing') return hangupTwiml();
    if (call.transport === 'livekit') {
      const sipUri = this.options.livekit?.sipUri;
      if (!sipUri) return sayAndHangupTwiml(SORRY_UNAVAILABLE);
      return dialSipTwiml({
        sipUri,
        headers: { [SIP_HEADERS.callId]: call.id, [SIP_HEADERS.tenantId]: call.tenantId },
        username: this.options.livekit?.sipUsername,
        password: this.options.livekit?.sipPassword,
      });
    }
    if (!this.tokens) return sayAndHangupTwiml(SORRY_UNAVAILABLE);
    return connectStreamTwiml({
      streamUrl: this.streamUrl,
      actionUrl: `${this.options.publicUrl.get()}${CONNECT_ACTION_PATH}`,
      parameters: { callId: call.id, token: this.tokens.issue(call.id, call.startedAt) },
    });
  }
}
