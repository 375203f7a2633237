import { childElements, elementText, parseXml, type XmlElement } from './xml.js';

export type HttpMethod = 'GET' | 'POST';

export interface StreamSpec {
  url: string;
  name?: string;
  track?: string;
  statusCallback?: string;
  statusCallbackMethod: HttpMethod;
  /** `<Parameter name value/>` children; they arrive in `start.customParameters`. */
  parameters: Record<string, string>;
}

export interface SipTarget {
  kind: 'sip';
  /** The URI as written, headers included. */
  uri: string;
  /** The URI without its `?headers` part. */
  address: string;
  /** `;name=value` URI parameters such as `transport` and `region`. */
  uriParams: Record<string, string>;
  /** Custom SIP headers from the URI query (`?X-Name=value&…`). */
  headers: Record<string, string>;
  username?: string;
  password?: string;
  statusCallback?: string;
  statusCallbackEvent: string[];
}
export type DialTarget =
  | SipTarget
  | { kind: 'number'; number: string }
  | { kind: 'client'; identity: string };

export type TwimlVerb =
  | { verb: 'Say'; text: string; voice?: string; language?: string; loop: number }
  | { verb: 'Play'; url: string; loop: number }
  | { verb: 'Pause'; lengthSec: number }
  | { verb: 'Hangup' }
  | { verb: 'Reject'; reason: 'rejected' | 'busy' }
  | { verb: 'Redirect'; url: string; method: HttpMethod }
  | { verb: 'Connect'; action?: string; method: HttpMethod; stream: StreamSpec }
  | { verb: 'Start'; stream?: StreamSpec; recording?: Record<string, string> }
  | {
      verb: 'Dial';
      action?: string;
      method: HttpMethod;
      attributes: Record<string, string>;
      targets: DialTarget[];
    };

export interface TwimlError {
  /** Twilio error code: 12100 document parse failure, 31922 stream URL scheme not supported. */
  code: number;
  message: string;
}
export type TwimlParseResult = { ok: true; verbs: TwimlVerb[] } | { ok: false; error: TwimlError };

export interface TwimlParseOptions {
  /**
   * Twilio only opens `wss://` streams. The sandbox runs on loopback without TLS, so `ws://` is
   * accepted for loopback hosts unless this is set.
   */
  requireWss?: boolean;
}

class TwimlInvalid extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function parseTwiml(xml: string, options: TwimlParseOptions = {}): TwimlParseResult {
  const parsed = parseXml(xml);
  if (!parsed.ok)
    return { ok: false, error: { code: 12100, message: `Document parse failure: ${parsed.message}` } };
  if (parsed.root.name !== 'Response') {
    return {
      ok: false,
      error: { code: 12100, message: `root element is <${parsed.root.name}>, not <Response>` },
    };
  }
  try {
    return { ok: true, verbs: childElements(parsed.root).map((el) => parseVerb(el, options)) };
  } catch (err) {
    if (err instanceof TwimlInvalid) return { ok: false, error: { code: err.code, message: err.message } };
    throw err;
  }
}

function parseVerb(el: XmlElement, options: TwimlParseOptions): TwimlVerb {
  const a = el.attributes;
  switch (el.name) {
    case 'Say':
      return {
        verb: 'Say',
        text: elementText(el),
        voice: a.voice,
        language: a.language,
        loop: int(a.loop, 1),
      };
    case 'Play':
      return { verb: 'Play', url: elementText(el), loop: int(a.loop, 1) };
    case 'Pause':
      return { verb: 'Pause', lengthSec: int(a.length, 1) };
    case 'Hangup':
      return { verb: 'Hangup' };
    case 'Reject':
      return { verb: 'Reject', reason: a.reason === 'busy' ? 'busy' : 'rejected' };
    case 'Redirect':
      return {
        verb: 'Redirect',
        url: required(elementText(el), '<Redirect> needs a URL'),
        method: method(a.method),
      };
    case 'Connect': {
      const streamEl = childElements(el).find((child) => child.name === 'Stream');
      if (!streamEl) throw new TwimlInvalid(12100, '<Connect> without <Stream> is not emulated');
      return {
        verb: 'Connect',
        action: a.action,
        method: method(a.method),
        stream: parseStream(streamEl, options),
      };
    }
    case 'Start': {
      const children = childElements(el);
      const streamEl = children.find((child) => child.name === 'Stream');
      const recordingEl = children.find((child) => child.name === 'Recording');
      return {
        verb: 'Start',
        stream: streamEl ? parseStream(streamEl, options) : undefined,
        recording: recordingEl ? { ...recordingEl.attributes } : undefined,
      };
    }
    case 'Dial':
      return {
        verb: 'Dial',
        action: a.action,
        method: method(a.method),
        attributes: { ...a },
        targets: parseDialTargets(el),
      };
    default:
      throw new TwimlInvalid(12100, `unsupported TwiML verb <${el.name}>`);
  }
}

function parseStream(el: XmlElement, options: TwimlParseOptions): StreamSpec {
  const url = required(el.attributes.url, '<Stream> needs a url attribute');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TwimlInvalid(12100, `<Stream url> is not a URL: ${url}`);
  }
  const insecureAllowed = !options.requireWss && parsed.protocol === 'ws:' && LOOPBACK.has(parsed.hostname);
  if (parsed.protocol !== 'wss:' && !insecureAllowed) {
    throw new TwimlInvalid(31922, `Stream - URL Schema Not Supported: ${parsed.protocol}`);
  }
  if (parsed.search !== '') {
    throw new TwimlInvalid(12100, '<Stream url> does not support query string parameters; use <Parameter>');
  }
  const parameters: Record<string, string> = {};
  for (const child of childElements(el)) {
    if (child.name !== 'Parameter') continue;
    const name = child.attributes.name;
    if (name !== undefined) parameters[name] = child.attributes.value ?? '';
  }
  return {
    url,
    name: el.attributes.name,
    track: el.attributes.track,
    statusCallback: el.attributes.statusCallback,
    statusCallbackMethod: method(el.attributes.statusCallbackMethod),
    parameters,
  };
}

function parseDialTargets(el: XmlElement): DialTarget[] {
  const nested = childElements(el);
  if (nested.length === 0) {
    const number = elementText(el);
    return number ? [{ kind: 'number', number }] : [];
  }
  return nested.map((child): DialTarget => {
    switch (child.name) {
      case 'Sip':
        return parseSip(child);
      case 'Number':
        return { kind: 'number', number: elementText(child) };
      case 'Client':
        return { kind: 'client', identity: elementText(child) };
      default:
        throw new TwimlInvalid(12100, `unsupported <Dial> noun <${child.name}>`);
    }
  });
}

export function parseSipUri(uri: string): Pick<SipTarget, 'address' | 'uriParams' | 'headers'> {
  const q = uri.indexOf('?');
  const address = q === -1 ? uri : uri.slice(0, q);
  const headers: Record<string, string> = {};
  if (q !== -1) {
    for (const pair of uri.slice(q + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const name = decodeURIComponent(eq === -1 ? pair : pair.slice(0, eq));
      headers[name] = eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1));
    }
  }
  const uriParams: Record<string, string> = {};
  for (const part of address.split(';').slice(1)) {
    const eq = part.indexOf('=');
    uriParams[eq === -1 ? part : part.slice(0, eq)] = eq === -1 ? '' : part.slice(eq + 1);
  }
  return { address, uriParams, headers };
}

function parseSip(el: XmlElement): SipTarget {
  const uri = required(elementText(el), '<Sip> needs a URI');
  if (!/^sips?:/i.test(uri)) throw new TwimlInvalid(12100, `<Sip> URI must start with sip: (${uri})`);
  const a = el.attributes;
  return {
    kind: 'sip',
    uri,
    ...parseSipUri(uri),
    username: a.username,
    password: a.password,
    statusCallback: a.statusCallback,
    statusCallbackEvent: (a.statusCallbackEvent ?? '').split(/\s+/).filter((e) => e !== ''),
  };
}

function method(value: string | undefined): HttpMethod {
  return value?.toUpperCase() === 'GET' ? 'GET' : 'POST';
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : fallback;
}

function required(value: string | undefined, message: string): string {
  if (value === undefined || value === '') throw new TwimlInvalid(12100, message);
  return value;
}
