import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { listenEmulator } from '../http/listen.js';
import { credentialsFrom } from './auth.js';
import type { DeepgramFaultsInput } from './faults.js';
import {
  badRequest,
  type HandshakeError,
  invalidAuth,
  rejectUpgrade,
  upgradeFault,
} from './handshake-errors.js';
import {
  appliesTo,
  type DeepgramConnectionRecord,
  DeepgramKeyState,
  type DeepgramUsage,
} from './key-state.js';
import { type ListenParams, parseListenParams } from './listen-params.js';
import { ListenSession, type SessionFaults } from './listen-session.js';
import { describeModel } from './messages.js';

export interface DeepgramEmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Unknown keys connect with no faults instead of getting 401. */
  acceptAnyKey?: boolean;
  /** Faults per API key, installed at start (each listed key is known). */
  keys?: Record<string, DeepgramFaultsInput>;
  /** Close with 1011 `NET-0001` after this long without audio or a control message. Default 10 s. */
  idleTimeoutMs?: number;
  /** Allowed `model` values; any Deepgram-looking name (nova-3, nova-2-phonecall, …) when absent. */
  models?: string[];
  /** Open sockets allowed per key before upgrades answer 429 (Deepgram's PAYG limit is 50). */
  maxConcurrentPerKey?: number;
  /**
   * Treat a pause in incoming audio longer than this as silence, so endpointing and UtteranceEnd
   * still fire for clients that stop sending during silence. Off by default: time is audio time.
   */
  stallAsSilenceMs?: number;
  /**
   * Processing latency: every message waits this long, for keys whose faults set no
   * `resultDelayMs` (so a final arrives this long after the endpoint). Default 0.
   */
  resultDelayMs?: number;
  now?: () => number;
}

export interface DeepgramEmulator {
  /** HTTP base URL; clients use it as their base URL and connect to `${url}/v1/listen`. */
  url: string;
  /** The same base with the `ws:` scheme, for clients that want one. */
  wsUrl: string;
  close(): Promise<void>;
  /** Registers a key (or replaces its faults), restarting its attempt counter. */
  setFaults(apiKey: string, faults?: DeepgramFaultsInput): void;
  /** Forgets a key: it gets 401 again (unless `acceptAnyKey`). */
  removeKey(apiKey: string): void;
  /** Connection attempts for a key, oldest first. */
  connections(apiKey: string): readonly DeepgramConnectionRecord[];
  usage(apiKey: string): DeepgramUsage;
  /** Clears records and counters for one key, or for all. */
  reset(apiKey?: string): void;
  /** Resolves once the server has seen every socket of the key (or of all keys) close. */
  settled(apiKey?: string): Promise<void>;
}

const DEFAULT_IDLE_TIMEOUT_MS = 10_000;

export async function startDeepgramEmulator(
  options: DeepgramEmulatorOptions = {},
): Promise<DeepgramEmulator> {
  const now = options.now ?? Date.now;
  const keys = new Map<string, DeepgramKeyState>();
  for (const [key, faults] of Object.entries(options.keys ?? {})) keys.set(key, new DeepgramKeyState(faults));
  const requestIds = new WeakMap<IncomingMessage, string>();

  const wss = new WebSocketServer({
    noServer: true,
    // Browsers send the key as `Sec-WebSocket-Protocol: token, <key>` and need the scheme echoed.
    handleProtocols: (protocols) =>
      protocols.has('token') ? 'token' : protocols.has('bearer') ? 'bearer' : false,
  });
  wss.on('headers', (headers, req) => headers.push(`dg-request-id: ${requestIds.get(req) ?? randomUUID()}`));

  const stateFor = (apiKey: string): DeepgramKeyState | undefined => {
    const known = keys.get(apiKey);
    if (known || !options.acceptAnyKey) return known;
    const created = new DeepgramKeyState({});
    keys.set(apiKey, created);
    return created;
  };

  type Admission =
    | { ok: false; error: HandshakeError; record?: DeepgramConnectionRecord }
    | { ok: true; state: DeepgramKeyState; record: DeepgramConnectionRecord; session: SessionSetup };
  type SessionSetup = { params: ListenParams; faults: SessionFaults };

  /** Decides an upgrade the way Deepgram does: route, auth, then parameters and limits. */
  const admit = (req: IncomingMessage, requestId: string): Admission => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname.replace(/\/+$/, '') !== '/v1/listen') {
      return {
        ok: false,
        error: { status: 404, errCode: 'NOT_FOUND', errMsg: `No route for ${url.pathname}` },
      };
    }
    const credentials = credentialsFrom(req);
    const state = credentials ? stateFor(credentials.key) : undefined;
    if (!state) return { ok: false, error: invalidAuth };

    const n = ++state.attempts;
    const record: DeepgramConnectionRecord = {
      n,
      requestId,
      status: 101,
      query: Object.fromEntries(url.searchParams),
      openedAt: now(),
      audioBytes: 0,
      audioSeconds: 0,
      utterances: [],
    };
    state.records.push(record);
    const { faults } = state;
    if (faults.rejectAuth) return { ok: false, error: invalidAuth, record };
    if (faults.rejectUpgrade && appliesTo(n, faults.rejectUpgrade.firstConnections)) {
      return { ok: false, error: upgradeFault(faults.rejectUpgrade.status), record };
    }
    const parsed = parseListenParams(url.searchParams, options.models);
    if (!parsed.ok) return { ok: false, error: badRequest(parsed.message), record };
    if (options.maxConcurrentPerKey !== undefined && state.openSockets >= options.maxConcurrentPerKey) {
      return { ok: false, error: upgradeFault(429), record };
    }
    const drop = faults.drop && appliesTo(n, faults.drop.firstConnections) ? faults.drop : undefined;
    return {
      ok: true,
      state,
      record,
      session: {
        params: parsed.params,
        faults: {
          drop,
          resultDelayMs: faults.resultDelayMs ?? options.resultDelayMs ?? 0,
          noEndpoint: faults.noEndpoint,
        },
      },
    };
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const requestId = randomUUID();
    const admission = admit(req, requestId);
    if (!admission.ok) {
      if (admission.record) admission.record.status = admission.error.status;
      rejectUpgrade(socket, admission.error, requestId);
      return;
    }
    const { state, record, session } = admission;
    state.socketOpened();
    requestIds.set(req, requestId);
    wss.handleUpgrade(req, socket, head, (ws) => {
      new ListenSession(ws, {
        ...session,
        requestId,
        model: describeModel(session.params.model),
        record,
        idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        stallAsSilenceMs: options.stallAsSilenceMs,
        now,
        onClosed: () => state.socketClosed(),
      });
    });
  };

  const request = (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = randomUUID();
    res.writeHead(req.url?.startsWith('/v1/listen') ? 501 : 404, {
      'content-type': 'application/json',
      'dg-request-id': requestId,
    });
    res.end(
      JSON.stringify({
        err_code: 'NOT_FOUND',
        err_msg: 'The emulator serves only the live WebSocket API at /v1/listen.',
        request_id: requestId,
      }),
    );
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
      else keys.set(apiKey, new DeepgramKeyState(faults));
    },
    removeKey: (apiKey) => {
      keys.delete(apiKey);
    },
    connections: (apiKey) => keys.get(apiKey)?.records ?? [],
    usage: (apiKey) => keys.get(apiKey)?.usage() ?? { connections: 0, audioSeconds: 0 },
    reset: (apiKey) => {
      for (const [key, state] of keys) if (apiKey === undefined || key === apiKey) state.reset();
    },
    settled: async (apiKey) => {
      const states = apiKey === undefined ? [...keys.values()] : [keys.get(apiKey)];
      await Promise.all(states.map((state) => state?.whenIdle()));
    },
  };
}
