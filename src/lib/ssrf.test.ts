import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blockedRange,
  createOutboundGuard,
  findOutboundBlocked,
  OutboundBlockedError,
  outboundRefusal,
  parseAllowList,
} from './ssrf.js';

describe('blockedRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'reserved'],
    ['::', 'reserved'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['2002:c0a8:0101::1', 'private'],
    ['ff02::1', 'multicast'],
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (address, range) => {
    expect(blockedRange(address)).toBe(range);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '172.32.0.1'])(
    '%s is public',
    (address) => {
      expect(blockedRange(address)).toBeUndefined();
    },
  );
});

describe('allow-list', () => {
  const rules = parseAllowList(['localhost:5678', '127.0.0.1:9000', '10.0.0.0/8', '[::1]', '169.254.0.0/16']);

  it('allows a named host on its port, whatever it resolves to', () => {
    expect(outboundRefusal(rules, 'localhost', '127.0.0.1', 5678)).toBeUndefined();
    expect(outboundRefusal(rules, 'LOCALHOST.', '127.0.0.1', 5678)).toBeUndefined();
    expect(outboundRefusal(rules, 'localhost', '127.0.0.1', 5679)).toBeInstanceOf(OutboundBlockedError);
  });

  it('allows addresses and ranges, with and without port', () => {
    expect(outboundRefusal(rules, 'x.example', '127.0.0.1', 9000)).toBeUndefined();
    expect(outboundRefusal(rules, 'x.example', '127.0.0.1', 80)?.range).toBe('loopback');
    expect(outboundRefusal(rules, 'x.example', '10.9.9.9', 443)).toBeUndefined();
    expect(outboundRefusal(rules, 'x.example', '::1', 1234)).toBeUndefined();
    expect(outboundRefusal(rules, 'x.example', '192.168.0.1', 443)?.range).toBe('private');
  });

  it('does not open metadata addresses through a wider range', () => {
    expect(outboundRefusal(rules, 'x.example', '169.254.169.254', 80)?.range).toBe('metadata');
    expect(outboundRefusal(parseAllowList(['169.254.169.254']), 'x', '169.254.169.254', 80)).toBeUndefined();
  });

  it('rejects malformed entries', () => {
    expect(() => parseAllowList(['http://x'])).toThrow(/not a host/);
    expect(() => parseAllowList(['x:70000'])).toThrow(/bad port/);
  });
});

describe('createOutboundGuard', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses loopback at connect time, by IP literal and by name', async () => {
    const guard = createOutboundGuard({ allowedHosts: [] });
    for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]']) {
      const err = await guard.fetch(`http://${host}:${port}/`).catch((e: unknown) => e);
      expect(findOutboundBlocked(err), host).toBeInstanceOf(OutboundBlockedError);
    }
    await guard.close();
  });

  it('lets allow-listed targets through', async () => {
    const guard = createOutboundGuard({ allowedHosts: [`127.0.0.1:${port}`] });
    const res = await guard.fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('ok');
    await guard.close();
  });

  it('checks URLs ahead of a request', async () => {
    const guard = createOutboundGuard({ allowedHosts: [] });
    expect(await guard.check('ftp://example.com')).toMatchObject({ ok: false, reason: 'scheme' });
    expect(await guard.check('http://localhost:5678')).toMatchObject({ ok: false, reason: 'blocked' });
    expect(await guard.check('http://[fe80::1]/')).toMatchObject({ ok: false, reason: 'blocked' });
    expect(await guard.check('http://no-such-host.invalid/')).toMatchObject({ ok: false, reason: 'dns' });
    expect(await guard.check('http://8.8.8.8/')).toMatchObject({ ok: true });
    await guard.close();
  });
});
