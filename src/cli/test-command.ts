import type { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { authHeaders } from './call-command.js';

export interface TestOptions {
  agent: string;
  tenant?: string;
  version?: string;
  url?: string;
  apiKey?: string;
  email?: string;
  password?: string;
}

type Out = (line: string) => void;

/** How often the command asks for the run's progress. */
const POLL_MS = 1_000;

interface RunDetail {
  id: string;
  version: number | null;
  status: string;
  passed: number;
  failed: number;
  total: number;
  results: {
    caseName: string;
    status: string;
    reasons: string[];
    durationMs: number;
    latency: { maxMs?: number | null };
  }[];
  comparison: {
    version: number;
    cases: { caseName: string; status: string; published: string | null }[];
  } | null;
}

async function api<T>(
  base: string,
  headers: Record<string, string>,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
  if (!res.ok)
    throw Object.assign(new Error(json.error?.message ?? `HTTP ${res.status}`), { status: res.status });
  return json;
}

/** The tenant that owns the agent: the one given, or the first tenant where the agent is found. */
async function findTenant(
  base: string,
  headers: Record<string, string>,
  options: TestOptions,
): Promise<string> {
  if (options.tenant) return options.tenant;
  const tenants = await api<{ items: { id: string }[] }>(base, headers, '/api/tenants?limit=100');
  for (const tenant of tenants.items) {
    const found = await api(base, headers, `/api/tenants/${tenant.id}/agents/${options.agent}`).then(
      () => true,
      () => false,
    );
    if (found) return tenant.id;
  }
  throw new Error(`no tenant has the agent ${options.agent}`);
}

/**
 * `switchboard test`: runs an agent's suite on the draft or a version through a running Switchboard
 * and prints a line per case; exits 0 when every case passed, 1 otherwise (for an agency's CI).
 */
export async function runTestCommand(options: TestOptions, out: Out, defaultUrl: string): Promise<number> {
  const base = (options.url ?? defaultUrl).replace(/\/$/, '');
  const version = !options.version || options.version === 'draft' ? 'draft' : Number(options.version);
  if (version !== 'draft' && !(Number.isInteger(version) && version > 0)) {
    throw new Error('--version takes a version number or "draft"');
  }
  const headers = await authHeaders(base, options);
  const tenantId = await findTenant(base, headers, options);
  out(`testing agent ${options.agent} on ${version === 'draft' ? 'the draft' : `version ${version}`}…`);
  const runs = `/api/tenants/${tenantId}/agents/${options.agent}/tests/runs`;
  const started = await api<{ id: string }>(base, headers, runs, { version });
  // Poll the job (a long suite outlasts an HTTP request's patience); print progress as cases finish.
  let run = await api<RunDetail>(base, headers, `${runs}/${started.id}`);
  let printed = 0;
  while (run.status === 'running' || run.status === 'queued') {
    if (run.results.length > printed) {
      printed = run.results.length;
      out(`  ${printed}/${run.total} cases done`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    run = await api<RunDetail>(base, headers, `${runs}/${started.id}`);
  }
  const published = new Map(run.comparison?.cases.map((c) => [c.caseName, c.published]) ?? []);
  for (const result of run.results) {
    const mark = result.status === 'passed' ? 'PASS' : result.status === 'failed' ? 'FAIL' : 'ERROR';
    const was = published.get(result.caseName);
    const compared = was ? `  (published v${run.comparison?.version}: ${was})` : '';
    out(`${mark.padEnd(5)} ${result.caseName}  ${(result.durationMs / 1000).toFixed(1)} s${compared}`);
    for (const reason of result.reasons) out(`        ${reason}`);
  }
  out(`${run.passed}/${run.total} passed (run ${run.id}): ${run.status}`);
  return run.status === 'passed' ? 0 : 1;
}

export function registerTestCommand(
  program: Command,
  run: (body: () => Promise<void>) => Promise<void>,
  out: Out,
): void {
  program
    .command('test')
    .description("run an agent's test suite (sandbox calls) and exit non-zero when a case fails")
    .requiredOption('--agent <id>', 'the agent id (agt_…)')
    .option('--version <n|draft>', 'a version number, or draft (default)')
    .option('--tenant <id>', 'the tenant (default: found from the agent)')
    .option('--url <url>', 'the server (default http://HOST:PORT)')
    .option('--api-key <key>', 'an API key (default $SWITCHBOARD_API_KEY)')
    .option('--email <email>', 'sign in with email and password instead')
    .option('--password <password>')
    .action((options: TestOptions) =>
      run(async () => {
        const config = loadConfig();
        process.exitCode = await runTestCommand(
          { apiKey: process.env.SWITCHBOARD_API_KEY, ...options },
          out,
          `http://${config.host}:${config.port}`,
        );
      }),
    );
}
