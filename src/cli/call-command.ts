import { readFile } from 'node:fs/promises';
import { type CallerEvent, formatCallerEvent } from '@switchboard/sandbox';
import type { Config } from '../config/index.js';

export interface CallOptions {
  to: string;
  scenario: string;
  url?: string;
  apiKey?: string;
  email?: string;
  password?: string;
  speed?: string;
}

type Out = (line: string) => void;

/**
 * The headers that authenticate requests to a running Switchboard: the API key, or a session from
 * signing in with email and password.
 */
export async function authHeaders(
  base: string,
  options: Pick<CallOptions, 'apiKey' | 'email' | 'password'>,
): Promise<Record<string, string>> {
  if (options.apiKey) return { authorization: `Bearer ${options.apiKey}` };
  if (!options.email || !options.password) {
    throw new Error('sign in with --api-key (or SWITCHBOARD_API_KEY), or --email and --password');
  }
  let res: Response;
  try {
    res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: options.email, password: options.password }),
    });
  } catch (err) {
    if (err instanceof TypeError)
      throw new Error(`no Switchboard answers at ${base}; start it with npm start (or pass --url)`);
    throw err;
  }
  const body = (await res.json()) as { csrfToken?: string; error?: { message: string } };
  if (!res.ok) throw new Error(`sign-in failed: ${body.error?.message ?? res.status}`);
  const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
  return { cookie, 'x-csrf-token': body.csrfToken ?? '' };
}

/** A shipped scenario name stays a name; anything that looks like a file is read and sent inline. */
async function scenarioPayload(scenario: string): Promise<unknown> {
  if (!scenario.endsWith('.json') && !scenario.includes('/')) return scenario;
  try {
    return JSON.parse(await readFile(scenario, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read scenario ${scenario}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * `switchboard call`: asks a running Switchboard to place a sandbox call and prints the
 * conversation as it streams back. Returns the process exit code.
 */
export async function runCallCommand(config: Config, options: CallOptions, out: Out): Promise<number> {
  const base = (options.url ?? `http://${config.host}:${config.port}`).replace(/\/$/, '');
  const headers = await authHeaders(base, options);
  const res = await fetch(`${base}/api/sandbox/calls`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/x-ndjson' },
    body: JSON.stringify({
      to: options.to,
      scenario: await scenarioPayload(options.scenario),
      ...(options.speed ? { speed: Number(options.speed) } : {}),
    }),
  });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as {
      error?: { message: string; details?: { field: string; message: string }[] };
    };
    const details = body.error?.details?.map((d) => `\n  ${d.field}: ${d.message}`).join('') ?? '';
    throw new Error(`${body.error?.message ?? `HTTP ${res.status}`}${details}`);
  }
  let buffered = '';
  let code = 1;
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const event = JSON.parse(buffered.slice(0, newline)) as
        | CallerEvent
        | {
            type: 'result';
            callId: string | null;
            status: string | null;
            endReason: string | null;
            problems: string[];
          }
        | { type: 'error'; message: string };
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      if (event.type === 'result') {
        out(
          `call ${event.callId ?? '(not recorded)'}: ${event.status ?? 'unknown'}${event.endReason ? ` (${event.endReason})` : ''}`,
        );
        for (const problem of event.problems) out(`  expectation not met: ${problem}`);
        code = event.problems.length === 0 ? 0 : 2;
      } else if (event.type === 'error') {
        out(`error: ${event.message}`);
      } else {
        const line = formatCallerEvent(event);
        if (line) out(line);
      }
    }
  }
  return code;
}
