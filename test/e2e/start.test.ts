import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The README's first command, as a person runs it: a fresh data directory, the real CLI, real HTTP. */
const cli = ['--import', 'tsx', 'src/cli/main.ts'];

function runCli(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, [...cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; output:\n${seen}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}; output:\n${seen}`)));
  });
}

describe('switchboard start on a fresh data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-start-'));
  let child: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    child = runCli(['start'], {
      DATA_DIR: dataDir,
      PORT: '0',
      SANDBOX_PORT: '0',
      DATABASE_URL: '',
      REDIS_URL: '',
    });
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    await waitForLine(child, /Press Ctrl\+C/);
    url = /Switchboard is up at (http:\/\/\S+)/.exec(output)![1]!;
  }, 90_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the URL and the demo logins', () => {
    expect(output).toMatch(/admin@switchboard\.local\s+demo-admin-password/);
    expect(output).toMatch(/viewer@acme-dental\.example/);
  });

  it('is healthy and ready', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({
      status: 'ok',
      database: 'ok',
      store: 'ok',
    });
  });

  it('lets the seeded admin sign in and call an authenticated route, and refuses a client viewer there', async () => {
    const login = async (email: string, password: string) => {
      const res = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      expect(res.status).toBe(200);
      return res.headers.get('set-cookie')!.split(';')[0]!;
    };
    const admin = await login('admin@switchboard.local', 'demo-admin-password');
    const tenants = await fetch(`${url}/api/tenants`, { headers: { cookie: admin } });
    expect(tenants.status).toBe(200);
    expect(((await tenants.json()) as { items: { slug: string }[] }).items.map((t) => t.slug).sort()).toEqual(
      ['acme-dental', 'bright-plumbing'],
    );

    const viewer = await login('viewer@acme-dental.example', 'demo-viewer-password');
    const denied = await fetch(`${url}/api/tenants`, { headers: { cookie: viewer } });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  });
  it('places a sandbox call with `switchboard call`, printing the conversation, and the portal lists it', async () => {
    const call = runCli(
      [
        'call',
        '--to',
        '+15005550006',
        '--scenario',
        'book-appointment',
        '--url',
        url,
        '--email',
        'admin@switchboard.local',
        '--password',
        'demo-admin-password',
        '--speed',
        '4',
      ],
      {},
    );
    let printed = '';
    call.stdout?.on('data', (c: Buffer) => {
      printed += c.toString();
    });
    call.stderr?.on('data', (c: Buffer) => {
      printed += c.toString();
    });
    const code = await new Promise<number | null>((r) => call.once('exit', r));
    expect(printed).toMatch(/agent: +hi, this is acme dental\./);
    expect(printed).toMatch(/caller: i'd like to book a cleaning appointment/);
    expect(printed).toMatch(/agent: +you're booked\. status: booked, day: tuesday, may 14, time: 10:30 am/);
    const callId = /call (call_[0-9a-z]+): completed/.exec(printed)?.[1];
    expect(callId, printed).toBeDefined();
    expect(code).toBe(0);

    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'viewer@acme-dental.example', password: 'demo-viewer-password' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const me = (await (await fetch(`${url}/api/auth/me`, { headers: { cookie } })).json()) as {
      tenants: { tenantId: string }[];
    };
    const calls = (await (
      await fetch(`${url}/api/tenants/${me.tenants[0]!.tenantId}/calls`, { headers: { cookie } })
    ).json()) as { items: { id: string; status: string }[] };
    expect(calls.items).toContainEqual(expect.objectContaining({ id: callId, status: 'completed' }));
  });
});

describe('switchboard with bad configuration', () => {
  it('stops with one line naming the variable and a non-zero exit code', async () => {
    const child = runCli(['start'], { PORT: 'eighty' });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: PORT /)]);
  });
});
