import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, type Credentials } from '../../test/support/app.js';
import { openTestApp } from '../../test/support/app-test.js';
import type { TestBackend } from '../../test/support/backend.js';
import type { World } from '../../test/support/fixtures.js';
import { GRANTS, type Permission } from '../auth/index.js';

/**
 * Schema-driven fuzzing: every route of the OpenAPI document gets, one parameter or body field at a
 * time, the inputs that used to reach the database and answer 500 (NUL, unpaired surrogates, numbers
 * past 2³¹−1 or past a double, leap seconds, year 0000, deep nesting, wrong types, overlong text),
 * as an internal_admin and as a client_viewer. No answer may be a 5xx, and a refused request writes
 * nothing (every table's row count unchanged, the audit log aside, where refusals belong).
 */

type JsonSchema = Record<string, unknown>;
interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type JsonSchemaKind = 'string' | 'date' | 'number' | 'other';

/** What a schema takes, for picking the bad inputs that could get past it. */
function kindOf(schema: JsonSchema | undefined): JsonSchemaKind {
  if (!schema) return 'other';
  const choices = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (choices) return kindOf(choices.find((c) => c.type !== 'null'));
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.type === 'string')
    return schema.format === 'date-time' || schema.format === 'date' ? 'date' : 'string';
  return 'other';
}

/** Raw URL text for a path or query value, by what the parameter takes. */
const BAD_TEXT: Record<JsonSchemaKind, string[]> = {
  string: ['a%00b', '%ED%A0%80', 'x'.repeat(300), '99999999999999999999'],
  date: ['2026-11-29T23%3A59%3A60Z', '0000-01-01T00%3A00%3A00Z', 'a%00b'],
  number: ['99999999999999999999', '2147483648', '1e400', '-1', 'a%00b'],
  other: ['a%00b', '%ED%A0%80', '1e400'],
};
/** Raw JSON text for a body field, by what the field takes. */
const DEEP_OBJECT = `${'{"a":'.repeat(80)}1${'}'.repeat(80)}`;
const BAD_JSON: Record<JsonSchemaKind, string[]> = {
  string: ['"a\\u0000b"', '"\\ud800x"', `"${'x'.repeat(3000)}"`, '1e400'],
  date: ['"2026-11-29T23:59:60Z"', '"0000-01-01T00:00:00Z"', '"a\\u0000b"'],
  number: ['2147483648', '1e400', '-1', '"5"'],
  other: [DEEP_OBJECT, '{"k\\u0000":"\\udc00"}', '"a\\u0000b"', 'true'],
};
/** Raw JSON text for a whole body. */
const BAD_BODIES = [`${'['.repeat(80)}${']'.repeat(80)}`, '{"a\\u0000":1}'];

let backend: TestBackend;
let app: FastifyInstance;
let world: World;

beforeAll(async () => {
  ({ backend, app, world } = await openTestApp());
}, 180_000);
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

function idFor(pattern: string): string | undefined {
  const prefix = /^\^([a-z0-9]+)_/.exec(pattern)?.[1];
  if (!prefix) return undefined;
  if (prefix === 'tnt') return world.tenantA;
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return `${prefix}_${Array.from(randomBytes(26), (b) => alphabet[b % 36]).join('')}`;
}

/** A plausible valid value for a schema, so that one bad field is what the request is judged on. */
function example(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return {};
  const choices = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (choices) return example(choices.find((c) => c.type !== 'null') ?? choices[0], depth + 1);
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  switch (schema.type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = (schema.required ?? []) as string[];
      return Object.fromEntries(required.map((k) => [k, example(props[k], depth + 1)]));
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return false;
    case 'string': {
      if (schema.format === 'email') return `fuzz-${randomBytes(3).toString('hex')}@example.com`;
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.format === 'date') return '2026-01-01';
      if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com';
      const id = typeof schema.pattern === 'string' ? idFor(schema.pattern) : undefined;
      return id ?? 'x'.repeat(Math.max(1, Number(schema.minLength ?? 1)));
    }
    default:
      return {};
  }
}

interface FuzzCase {
  method: Method;
  url: string;
  payload?: string;
  what: string;
}

/** One request per (slot, bad value): every other input is a plausible valid value. */
function casesFor(path: string, method: Method, op: Operation): FuzzCase[] {
  const params = op.parameters ?? [];
  const pathValues: Record<string, string> = {};
  for (const p of params.filter((p) => p.in === 'path')) {
    pathValues[p.name] = encodeURIComponent(String(example(p.schema)));
  }
  const queryParams = params.filter((p) => p.in === 'query');
  const baseQuery: Record<string, string> = {};
  for (const p of queryParams.filter((p) => p.required)) baseQuery[p.name] = String(example(p.schema));
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  const baseBody = bodySchema ? example(bodySchema) : undefined;

  const build = (pv: Record<string, string>, query: Record<string, string>, payload?: string) => {
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => pv[name] ?? 'x');
    const qs = Object.entries(query)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    return { url: qs ? `${url}?${qs}` : url, payload };
  };
  const bodyText = baseBody === undefined ? undefined : JSON.stringify(baseBody);
  const cases: FuzzCase[] = [];
  for (const p of params.filter((p) => p.in === 'path')) {
    for (const bad of BAD_TEXT[kindOf(p.schema)]) {
      const url = build({ ...pathValues, [p.name]: bad }, baseQuery, bodyText);
      cases.push({ method, ...url, what: `path ${p.name}=${bad.slice(0, 20)}` });
    }
  }
  for (const p of queryParams) {
    for (const bad of BAD_TEXT[kindOf(p.schema)]) {
      const url = build(pathValues, { ...baseQuery, [p.name]: bad }, bodyText);
      cases.push({ method, ...url, what: `query ${p.name}=${bad.slice(0, 20)}` });
    }
  }
  if (bodySchema && baseBody && typeof baseBody === 'object' && !Array.isArray(baseBody)) {
    const fields = Object.entries((bodySchema.properties ?? {}) as Record<string, JsonSchema>);
    for (const [field, fieldSchema] of fields) {
      for (const bad of BAD_JSON[kindOf(fieldSchema)]) {
        const text = JSON.stringify({ ...baseBody, [field]: '__FUZZ__' }).replace('"__FUZZ__"', bad);
        cases.push({
          method,
          ...build(pathValues, baseQuery, text),
          what: `body ${field}=${bad.slice(0, 20)}`,
        });
      }
    }
    for (const bad of BAD_BODIES) {
      cases.push({ method, ...build(pathValues, baseQuery, bad), what: `body=${bad.slice(0, 20)}` });
    }
  }
  return cases;
}

/** node-postgres and PGlite both answer `{ rows }`; drizzle's typing differs per driver. */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

async function rowCounts(): Promise<Record<string, number>> {
  const tables: unknown = await backend.owner.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'audit_log' order by 1`,
  );
  const names = rowsOf<{ table_name: string }>(tables);
  const query = names
    .map((t) => `select '${t.table_name}' as t, count(*)::int as n from "${t.table_name}"`)
    .join(' union all ');
  const rows = rowsOf<{ t: string; n: number }>(await backend.owner.execute(sql.raw(query)));
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

describe('schema-driven fuzzing of every route', () => {
  for (const who of ['admin', 'viewerA'] as const) {
    it(`never answers 5xx and writes nothing when it refuses (${who})`, { timeout: 300_000 }, async () => {
      const doc = app.swagger() as { paths: Record<string, Record<string, Operation>> };
      const credentials: Credentials = world.as[who];
      const routeAccess = new Map(app.routeTable.map((r) => [`${r.method} ${r.url}`, r.access]));
      const failures: string[] = [];
      let sent = 0;
      for (const [path, operations] of Object.entries(doc.paths)) {
        if (path.startsWith('/api/docs')) continue;
        for (const [lower, op] of Object.entries(operations)) {
          const method = lower.toUpperCase() as Method;
          if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) continue;
          const access = routeAccess.get(`${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
          // A viewer is refused before validation on routes it cannot use; fuzz the ones it can.
          if (who === 'viewerA' && !(access && GRANTS.client_viewer.has(access as Permission))) continue;
          const cases = casesFor(path, method, op);
          if (cases.length === 0) continue;
          const started = Date.now();
          const before = await rowCounts();
          let anyAccepted = false;
          for (const c of cases) {
            const res = await app.inject({
              method: c.method,
              url: c.url,
              headers: {
                ...authHeaders(credentials),
                ...(c.payload === undefined ? {} : { 'content-type': 'application/json' }),
              },
              ...(c.payload === undefined ? {} : { payload: c.payload }),
            });
            sent++;
            if (res.statusCode >= 500)
              failures.push(`${method} ${path} ${c.what} → ${res.statusCode} ${res.body.slice(0, 120)}`);
            else if (res.statusCode < 400) anyAccepted = true;
            else if (!/^[A-Z0-9_]+$/.test(res.json()?.error?.code ?? '')) {
              failures.push(`${method} ${path} ${c.what} → ${res.statusCode} without the error shape`);
            }
          }
          if (process.env.FUZZ_TIMING)
            console.log(`${Date.now() - started}ms ${cases.length} ${method} ${path}`);
          if (!anyAccepted)
            expect(await rowCounts(), `${method} ${path} wrote rows while refusing`).toEqual(before);
        }
      }
      expect(failures).toEqual([]);
      expect(sent).toBeGreaterThan(who === 'admin' ? 300 : 20);
    });
  }
});
