import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, type Dispatcher, fetch as undiciFetch } from 'undici';

/**
 * Outbound HTTP to tenant-supplied URLs (n8n) without server-side request forgery: a host that
 * resolves to a private, loopback, link-local, CGNAT, unique-local or cloud-metadata address is
 * refused unless OUTBOUND_ALLOWED_HOSTS names it. The check runs when the socket connects (on the
 * addresses actually dialled), so DNS rebinding between a pre-check and the request cannot bypass it.
 * Addresses and ranges are parsed and matched by ipaddr.js.
 */

/** Why an address is not public, or undefined when it is. */
export type BlockedRange =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'unique-local'
  | 'metadata'
  | 'multicast'
  | 'reserved';

const V4_RANGES: ReadonlyArray<[string, BlockedRange]> = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'reserved'],
  ['203.0.113.0/24', 'reserved'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

const V6_RANGES: ReadonlyArray<[string, BlockedRange]> = [
  ['::/96', 'reserved'], // unspecified, loopback and the deprecated IPv4-compatible block
  ['64:ff9b:1::/48', 'private'],
  ['100::/64', 'reserved'],
  ['2001:db8::/32', 'reserved'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'],
  ['ff00::/8', 'multicast'],
];

/** Instance-metadata endpoints (AWS/GCP/Azure, ECS, Alibaba, Oracle): only an exact address entry allows them. */
const METADATA_ADDRESSES = [
  '169.254.169.254',
  '169.254.170.2',
  '100.100.100.200',
  '192.0.0.192',
  'fd00:ec2::254',
];

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

/** A canonical address (what DNS answers, what a URL normalises to); no shorthand like `127.1`. */
function parseAddress(text: string): Address | undefined {
  const address = text.replace(/%.*$/, '');
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
  if (ipaddr.IPv6.isValid(address)) return ipaddr.IPv6.parse(address);
  return undefined;
}

function parseCidr(text: string): Cidr | undefined {
  const [addressText = '', prefixText] = text.split('/');
  const address = parseAddress(addressText);
  if (!address) return undefined;
  const bits = address.kind() === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? String(bits)) || prefix > bits) return undefined;
  return [address, prefix];
}

function contains([base, prefix]: Cidr, address: Address): boolean {
  if (base instanceof ipaddr.IPv4) return address instanceof ipaddr.IPv4 && address.match(base, prefix);
  return address instanceof ipaddr.IPv6 && address.match(base, prefix);
}

const BLOCKED = [...V4_RANGES, ...V6_RANGES].map(([cidr, label]) => ({
  cidr: ipaddr.parseCIDR(cidr),
  label,
}));
const NAT64 = ipaddr.parseCIDR('64:ff9b::/96');
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16');

/** The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4), which is what the packet reaches. */
function embeddedV4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const words = address.parts;
  const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  if (address.isIPv4MappedAddress()) return address.toIPv4Address();
  if (contains(NAT64, address)) return v4(words[6]!, words[7]!);
  if (contains(SIX_TO_FOUR, address)) return v4(words[1]!, words[2]!);
  return undefined;
}

const METADATA = new Set(METADATA_ADDRESSES.map((a) => parseAddress(a)!.toNormalizedString()));

/** Why `address` is not a public unicast address, or undefined when it is. */
export function blockedRange(address: string): BlockedRange | undefined {
  const parsed = parseAddress(address);
  if (!parsed) return 'reserved';
  if (parsed instanceof ipaddr.IPv6) {
    const v4 = embeddedV4(parsed);
    if (v4 !== undefined) return blockedRange(v4.toString());
  }
  if (METADATA.has(parsed.toNormalizedString())) return 'metadata';
  return BLOCKED.find((r) => contains(r.cidr, parsed))?.label;
}

type AllowRule =
  | { kind: 'host'; host: string; port: number | undefined }
  | { kind: 'address'; range: Cidr; port: number | undefined };

/** Parses OUTBOUND_ALLOWED_HOSTS entries: `host`, `host:port`, `1.2.3.4`, `1.2.3.4:80`, `10.0.0.0/8`, `[::1]:5678`. */
export function parseAllowList(entries: readonly string[]): AllowRule[] {
  return entries.map((raw) => {
    const entry = raw.trim().toLowerCase();
    let host = entry;
    let port: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      host = bracketed[1]!;
      port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
    } else if (isIP(entry.split('/')[0]!) !== 6) {
      const withPort = /^(.+):(\d+)$/.exec(entry);
      if (withPort) {
        host = withPort[1]!;
        port = Number(withPort[2]);
      }
    }
    if (port !== undefined && (port < 1 || port > 65535))
      throw new Error(`allow-list entry "${raw}": bad port`);
    const range = parseCidr(host);
    if (range) return { kind: 'address', range, port };
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/.test(host)) {
      throw new Error(`allow-list entry "${raw}" is not a host, host:port, IP or CIDR`);
    }
    return { kind: 'host', host: host.replace(/\.$/, ''), port };
  });
}

const portMatches = (rule: AllowRule, port: number) => rule.port === undefined || rule.port === port;

/** Thrown (as the cause of a fetch failure) when a connection would reach a refused address. */
export class OutboundBlockedError extends Error {
  readonly code = 'OUTBOUND_BLOCKED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: BlockedRange,
  ) {
    super(`${host} resolves to ${address} (${range}), which outbound calls may not reach`);
    this.name = 'OutboundBlockedError';
  }
}

/** The refusal for connecting to `address` (resolved from `host`) on `port`, or undefined. */
export function outboundRefusal(
  rules: readonly AllowRule[],
  host: string,
  address: string,
  port: number,
): OutboundBlockedError | undefined {
  const name = normaliseHost(host);
  if (rules.some((r) => r.kind === 'host' && r.host === name && portMatches(r, port))) return undefined;
  const range = blockedRange(address);
  if (range === undefined) return undefined;
  const parsed = parseAddress(address);
  const allowed =
    parsed !== undefined &&
    rules.some(
      (r) =>
        r.kind === 'address' &&
        portMatches(r, port) &&
        contains(r.range, parsed) &&
        (range !== 'metadata' || r.range[1] === (parsed.kind() === 'ipv4' ? 32 : 128)),
    );
  return allowed ? undefined : new OutboundBlockedError(name, address, range);
}

function normaliseHost(host: string): string {
  return host
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
}

function defaultPort(url: URL): number {
  return Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
}

export type OutboundCheck =
  | { ok: true; addresses: string[] }
  | { ok: false; reason: 'scheme'; message: string }
  | { ok: false; reason: 'dns'; message: string }
  | { ok: false; reason: 'blocked'; message: string; error: OutboundBlockedError };

export interface OutboundGuard {
  /** Undici dispatcher that checks every address it dials; give it to any outbound fetch. */
  readonly dispatcher: Dispatcher;
  /** `fetch` through the dispatcher (redirects are checked the same way). */
  fetch(url: string | URL, init?: Parameters<typeof undiciFetch>[1]): ReturnType<typeof undiciFetch>;
  /** Resolves the URL's host now and reports whether a request may go there (for early, clear errors). */
  check(url: string | URL): Promise<OutboundCheck>;
  close(): Promise<void>;
}

function lookupAll(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true } satisfies LookupAllOptions, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );
}

export function createOutboundGuard(options: {
  allowedHosts: readonly string[];
  connectTimeoutMs?: number;
}): OutboundGuard {
  const rules = parseAllowList(options.allowedHosts);
  const connectors = new Map<number, buildConnector.connector>();

  const guardedLookup =
    (port: number): LookupFunction =>
    (hostname, lookupOptions, callback) => {
      dnsLookup(hostname, { ...lookupOptions, all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, '', 0);
        const refused = addresses
          .map((a) => outboundRefusal(rules, hostname, a.address, port))
          .find((r) => r !== undefined);
        if (refused) return callback(Object.assign(refused, { code: refused.code }), '', 0);
        if (lookupOptions.all) return callback(null, addresses);
        const first = addresses[0];
        if (!first) return callback(new Error(`no address for ${hostname}`), '', 0);
        callback(null, first.address, first.family);
      });
    };

  const connectorFor = (port: number) => {
    let connector = connectors.get(port);
    if (!connector) {
      connector = buildConnector({
        timeout: options.connectTimeoutMs ?? 10_000,
        lookup: guardedLookup(port),
      });
      connectors.set(port, connector);
    }
    return connector;
  };

  const connect: buildConnector.connector = (connectOptions, callback) => {
    const host = normaliseHost(connectOptions.hostname);
    const port = Number(connectOptions.port) || (connectOptions.protocol === 'https:' ? 443 : 80);
    // An IP literal never goes through lookup, so it is checked here.
    if (isIP(host)) {
      const refused = outboundRefusal(rules, host, host, port);
      if (refused) return callback(refused, null);
    }
    connectorFor(port)(connectOptions, callback);
  };

  const dispatcher = new Agent({ connect });

  return {
    dispatcher,
    fetch: (url, init) => undiciFetch(url, { ...init, dispatcher }),
    async check(input) {
      let url: URL;
      try {
        url = new URL(input);
      } catch {
        return { ok: false, reason: 'scheme', message: 'is not a URL' };
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return { ok: false, reason: 'scheme', message: 'must be an http or https URL' };
      }
      const host = normaliseHost(url.hostname);
      let addresses: string[];
      try {
        addresses = isIP(host) ? [host] : (await lookupAll(host)).map((a) => a.address);
      } catch (err) {
        return {
          ok: false,
          reason: 'dns',
          message: `host ${host} could not be resolved (${errorCode(err)})`,
        };
      }
      for (const address of addresses) {
        const refused = outboundRefusal(rules, host, address, defaultPort(url));
        if (refused) return { ok: false, reason: 'blocked', message: refused.message, error: refused };
      }
      return { ok: true, addresses };
    },
    close: () => dispatcher.close(),
  };
}

function errorCode(err: unknown): string {
  return (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
}

/** The OutboundBlockedError somewhere in an error's cause chain (fetch wraps connect errors). */
export function findOutboundBlocked(err: unknown): OutboundBlockedError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof OutboundBlockedError) return e;
  }
  return undefined;
}
