import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { SpeechPace } from '../audio/index.js';
import { listenEmulator } from '../http/listen.js';
import { type AuthFailure, bearerKey, invalidApiKey } from './auth.js';
import type { RimeFaults, RimeFaultsInput } from './faults.js';
import { handleHttpTts, sendText } from './http-tts.js';
import { appliesTo, RimeKeyState, type RimeRequestRecord, type RimeUsage } from './key-state.js';
import { Ws3Session } from './ws3-session.js';
import { parseWs3Settings, type Ws3Settings } from './ws3-settings.js';

export interface RimeEmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Unknown keys are served with no faults instead of 401 `invalid api key`. */
  acceptAnyKey?: boolean;
  /** Faults per API key, installed at start (each listed key is known). */
  keys?: Record<string, RimeFaultsInput>;
  /** Audio per streamed chunk (HTTP body piece or ws `chunk` event). Default 100 ms. */
  chunkMs?: number;
  /** Silence added before and after each synthesized utterance. Default 0. */
  paddingMs?: number;
  /** How fast the agent's tone speech goes; one 20 ms symbol per character (fast) when absent. */
  pace?: SpeechPace;
  /** Wait before each synthesis's first audio, for keys whose faults set no `firstByteDelayMs`. Default 0. */
  firstAudioDelayMs?: number;
  now?: () => number;
}

export interface RimeEmulator {
  /** Base URL: HTTP TTS at `${url}/v1/rime-tts`, WebSocket at `${wsUrl}/ws3`. */
  url: string;
  wsUrl: string;
  close(): Promise<void>;
  /** Registers a key (or replaces its faults), restarting its request counter. */
  setFaults(apiKey: string, faults?: RimeFaultsInput): void;
  removeKey(apiKey: string): void;
  /** HTTP requests and /ws3 connections for a key, oldest first. */
  requests(apiKey: string): readonly RimeRequestRecord[];
  usage(apiKey: string): RimeUsage;
  reset(apiKey?: string): void;
}

const WS_PATHS = new Set(['/ws3', '/ws2']);

export async function startRimeEmulator(options: RimeEmulatorOptions = {}): Promise<RimeEmulator> {
  const now = options.now ?? Date.now;
  const chunkMs = options.chunkMs ?? 100;
  const paddingMs = options.paddingMs ?? 0;
  const { pace } = options;
  /** A key's faults with the emulator's typical first-audio latency filled in. */
  const withLatency = (faults: RimeFaults): RimeFaults => ({
    ...faults,
    firstByteDelayMs: faults.firstByteDelayMs ?? options.firstAudioDelayMs ?? 0,
  });
  const keys = new Map<string, RimeKeyState>();
  for (const [key, faults] of Object.entries(options.keys ?? {})) keys.set(key, new RimeKeyState(faults));
  const wss = new WebSocketServer({ noServer: true });

  /** Auth and request counting shared by HTTP and WebSocket. */
  const admit = (
    req: IncomingMessage,
    kind: RimeRequestRecord['kind'],
  ): { ok: true; state: RimeKeyState; record: RimeRequestRecord } | { ok: false; failure: AuthFailure } => {
    const auth = bearerKey(req);
    if ('status' in auth) return { ok: false, failure: auth };
    let state = keys.get(auth.key);
    if (!state && options.acceptAnyKey) {
      state = new RimeKeyState({});
      keys.set(auth.key, state);
    }
    if (!state) return { ok: false, failure: invalidApiKey };
    const record: RimeRequestRecord = {
      n: ++state.requestCount,
      kind,
      status: 0,
      at: now(),
      texts: [],
      characters: 0,
      audioBytes: 0,
    };
    state.records.push(record);
    if (state.faults.rejectAuth) {
      record.status = 401;
      return { ok: false, failure: invalidApiKey };
    }
    return { ok: true, state, record };
  };

  const request = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const body = await readBody(req);
    if (req.method !== 'POST' || path !== '/v1/rime-tts') {
      sendText(res, undefined, 404, 'Not Found');
      return;
    }
    const admission = admit(req, 'http');
    if (!admission.ok) {
      sendText(res, undefined, admission.failure.status, admission.failure.body);
      return;
    }
    await handleHttpTts(req, res, body, {
      faults: withLatency(admission.state.faults),
      record: admission.record,
      chunkMs,
      paddingMs,
      pace,
    });
  };

  type UpgradeDecision =
    | { ok: false; status: number; text: string }
    | { ok: true; settings: Ws3Settings; faults: RimeFaults; record: RimeRequestRecord };

  const decideUpgrade = (req: IncomingMessage): UpgradeDecision => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (!WS_PATHS.has(url.pathname)) return { ok: false, status: 404, text: 'Not Found' };
    const admission = admit(req, 'ws');
    if (!admission.ok) return { ok: false, status: admission.failure.status, text: admission.failure.body };
    const { state, record } = admission;
    const { faults } = state;
    if (faults.serverError && appliesTo(record.n, faults.serverError.firstRequests)) {
      record.status = faults.serverError.status;
      return { ok: false, status: faults.serverError.status, text: 'Internal Server Error' };
    }
    const parsed = parseWs3Settings(url.searchParams);
    if (!parsed.ok) {
      record.status = 400;
      return { ok: false, status: 400, text: parsed.message };
    }
    const { settings } = parsed;
    Object.assign(record, {
      status: 101,
      modelId: settings.modelId,
      ...(settings.lang ? { lang: settings.lang } : {}),
      speaker: settings.speaker,
      format: settings.format,
      samplingRate: settings.samplingRate,
    });
    return { ok: true, settings, faults: withLatency(faults), record };
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const decision = decideUpgrade(req);
    if (!decision.ok) {
      rejectUpgrade(socket, decision.status, decision.text);
      return;
    }
    const { settings, faults, record } = decision;
    wss.handleUpgrade(req, socket, head, (ws) => {
      new Ws3Session(ws, { settings, faults, record, chunkMs, paddingMs, pace });
    });
  };

  const server = await listenEmulator({ request, upgrade }, { host: options.host, port: options.port });
  return {
    url: server.url,
    wsUrl: server.url.replace(/^http/, 'ws'),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await server.close();
    },
    setFaults: (apiKey, faults = {}) => {
      const known = keys.get(apiKey);
      if (known) known.setFaults(faults);
      else keys.set(apiKey, new RimeKeyState(faults));
    },
    removeKey: (apiKey) => {
      keys.delete(apiKey);
    },
    requests: (apiKey) => keys.get(apiKey)?.records ?? [],
    usage: (apiKey) => keys.get(apiKey)?.usage() ?? { requests: 0, characters: 0 },
    reset: (apiKey) => {
      for (const [key, state] of keys) if (apiKey === undefined || key === apiKey) state.reset();
    },
  };
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'content-type: text/plain; charset=utf-8',
    `content-length: ${Buffer.byteLength(text)}`,
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(String(part)));
  return Buffer.concat(parts).toString('utf8');
}
