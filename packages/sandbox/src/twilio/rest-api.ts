import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatedCall } from './call.js';
import { formatNumber, type IncomingPhoneNumber } from './phone-numbers.js';

export interface RestState {
  accountSid: string;
  authToken: string;
  numbers: IncomingPhoneNumber[];
  calls: ReadonlyMap<string, EmulatedCall>;
}

const API = '/2010-04-01';
const CALL_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\.json$/;
const NUMBERS_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/IncomingPhoneNumbers\.json$/;
const NUMBER_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/IncomingPhoneNumbers\/([^/]+)\.json$/;

/** The few REST resources an agent uses, with Basic auth and Twilio's error body. */
export async function handleRestRequest(
  req: IncomingMessage,
  res: ServerResponse,
  state: RestState,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  if (!url.pathname.startsWith(API)) return sendError(res, 404, 20404, notFound(url.pathname));
  if (!authorized(req, state)) {
    res.setHeader('www-authenticate', 'Basic realm="Twilio API"');
    return sendError(res, 401, 20003, 'Authentication Error - invalid username');
  }
  const body = method === 'POST' ? new URLSearchParams(await readBody(req)) : new URLSearchParams();

  const call = CALL_PATH.exec(url.pathname);
  if (call && call[1] === state.accountSid) {
    const found = state.calls.get(call[2]!);
    if (!found) return sendError(res, 404, 20404, notFound(url.pathname));
    if (method === 'GET') return sendJson(res, 200, callJson(found));
    if (method === 'POST') return updateCall(res, found, body, url.pathname);
  }

  const numbers = NUMBERS_PATH.exec(url.pathname);
  if (numbers && numbers[1] === state.accountSid && method === 'GET') {
    return sendJson(res, 200, numbersPage(state, url));
  }

  const number = NUMBER_PATH.exec(url.pathname);
  if (number && number[1] === state.accountSid) {
    const found = state.numbers.find((n) => n.sid === number[2]);
    if (!found) return sendError(res, 404, 20404, notFound(url.pathname));
    if (method === 'POST') updateNumber(found, body);
    if (method === 'GET' || method === 'POST') return sendJson(res, 200, numberJson(state, found));
  }
  return sendError(res, 404, 20404, notFound(url.pathname));
}

async function updateCall(
  res: ServerResponse,
  call: EmulatedCall,
  body: URLSearchParams,
  path: string,
): Promise<void> {
  if (!call.isActive) return sendError(res, 404, 20404, notFound(path));
  const params = Object.fromEntries(body);
  call.recordRestUpdate(params);
  const status = body.get('Status');
  if (status !== null && status !== 'completed' && status !== 'canceled') {
    return sendError(res, 400, 21218, `Invalid Status: ${status}`);
  }
  // `canceled` only ends queued or ringing calls; an answered inbound call ignores it.
  if (status === 'completed' || (status === 'canceled' && call.status === 'ringing')) {
    await call.completeFromRest();
  }
  sendJson(res, 200, callJson(call));
}

function updateNumber(number: IncomingPhoneNumber, body: URLSearchParams): void {
  const voiceMethod = body.get('VoiceMethod');
  number.voiceUrl = body.get('VoiceUrl') ?? number.voiceUrl;
  number.voiceFallbackUrl = body.get('VoiceFallbackUrl') ?? number.voiceFallbackUrl;
  number.statusCallback = body.get('StatusCallback') ?? number.statusCallback;
  number.friendlyName = body.get('FriendlyName') ?? number.friendlyName;
  if (voiceMethod === 'GET' || voiceMethod === 'POST') number.voiceMethod = voiceMethod;
  number.dateUpdated = new Date();
}

function numbersPage(state: RestState, url: URL): Record<string, unknown> {
  const pageSize = clamp(Number(url.searchParams.get('PageSize') ?? 50), 1, 1000);
  const page = Math.max(0, Number(url.searchParams.get('Page') ?? 0) || 0);
  const filter = url.searchParams.get('PhoneNumber');
  const all = state.numbers.filter((n) => !filter || n.phoneNumber.includes(filter));
  const start = page * pageSize;
  const items = all.slice(start, start + pageSize);
  const pageUri = (p: number) => `${url.pathname}?PageSize=${pageSize}&Page=${p}`;
  return {
    first_page_uri: pageUri(0),
    end: start + Math.max(items.length, 1) - 1,
    previous_page_uri: page > 0 ? pageUri(page - 1) : null,
    incoming_phone_numbers: items.map((n) => numberJson(state, n)),
    uri: pageUri(page),
    page_size: pageSize,
    start,
    next_page_uri: start + pageSize < all.length ? pageUri(page + 1) : null,
    page,
  };
}

function numberJson(state: RestState, n: IncomingPhoneNumber): Record<string, unknown> {
  return {
    account_sid: state.accountSid,
    address_requirements: 'none',
    address_sid: null,
    api_version: '2010-04-01',
    beta: false,
    bundle_sid: null,
    capabilities: { fax: false, mms: true, sms: true, voice: true },
    date_created: rfc2822(n.dateCreated),
    date_updated: rfc2822(n.dateUpdated),
    emergency_address_sid: null,
    emergency_address_status: 'unregistered',
    emergency_status: 'Inactive',
    friendly_name: n.friendlyName,
    identity_sid: null,
    origin: 'twilio',
    phone_number: n.phoneNumber,
    sid: n.sid,
    sms_application_sid: '',
    sms_fallback_method: 'POST',
    sms_fallback_url: '',
    sms_method: 'POST',
    sms_url: '',
    status: 'in-use',
    status_callback: n.statusCallback,
    status_callback_method: n.statusCallbackMethod,
    trunk_sid: null,
    type: 'local',
    uri: `${API}/Accounts/${state.accountSid}/IncomingPhoneNumbers/${n.sid}.json`,
    voice_application_sid: '',
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: n.voiceFallbackUrl,
    voice_method: n.voiceMethod,
    voice_receive_mode: 'voice',
    voice_url: n.voiceUrl,
  };
}

function callJson(call: EmulatedCall): Record<string, unknown> {
  const uri = `${API}/Accounts/${call.accountSid}/Calls/${call.callSid}`;
  const duration = call.outcome ? String(Math.round(call.outcome.durationMs / 1000)) : null;
  return {
    sid: call.callSid,
    date_created: rfc2822(call.startedAt),
    date_updated: rfc2822(call.endedAt ?? call.startedAt),
    parent_call_sid: null,
    account_sid: call.accountSid,
    to: call.to,
    to_formatted: formatNumber(call.to),
    from: call.from,
    from_formatted: formatNumber(call.from),
    phone_number_sid: null,
    status: call.status,
    start_time: rfc2822(call.startedAt),
    end_time: call.endedAt ? rfc2822(call.endedAt) : null,
    duration,
    price: null,
    price_unit: 'USD',
    direction: 'inbound',
    answered_by: null,
    api_version: '2010-04-01',
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: '0',
    trunk_sid: null,
    uri: `${uri}.json`,
    subresource_uris: {
      notifications: `${uri}/Notifications.json`,
      recordings: `${uri}/Recordings.json`,
      streams: `${uri}/Streams.json`,
      events: `${uri}/Events.json`,
    },
  };
}

function authorized(req: IncomingMessage, state: RestState): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf-8');
  return decoded === `${state.accountSid}:${state.authToken}`;
}

function notFound(path: string): string {
  return `The requested resource ${path} was not found`;
}

function sendError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf-8');
}

function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.trunc(n))) : min;
}
