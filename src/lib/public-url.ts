import type { AddressInfo } from 'node:net';

/** `http://host:port` with an IPv6 host bracketed and a wildcard bind mapped to loopback. */
export function baseUrlFor(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * The public base URL Twilio reaches this server at (TwiML, signatures, number registration,
 * simulated calls). One value for the process: `PUBLIC_URL` when configured, otherwise resolved
 * once from the listening address, so `PORT=0` yields the real port.
 */
export class PublicUrl {
  private value: string | undefined;

  constructor(configured: string | undefined) {
    this.value = configured?.replace(/\/$/, '');
  }

  /** Fixes the URL from the address the server listens on, unless PUBLIC_URL set it. Once only. */
  resolveFromAddress(address: AddressInfo | string | null): void {
    if (this.value !== undefined) return;
    if (!address || typeof address === 'string') throw new Error('the server is not listening on a TCP port');
    this.value = baseUrlFor(address.address, address.port);
  }

  /** The base URL, without a trailing slash. Throws when read before it is known. */
  get(): string {
    if (this.value === undefined) throw new Error('the public URL is read before the server listens');
    return this.value;
  }
}
