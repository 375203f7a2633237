import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The dependency order of docs/architecture.md, checked on every import of the product's code:
 * each area imports only from its own layer or the layers below it.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['lib'],
  ['db', 'store', 'storage', 'config'],
  ['deps'],
  ['n8n'],
  ['runtime', 'gateway', 'control', 'analytics', 'retention', 'quality', 'analysis', 'auth', 'audit'],
  ['telephony'],
  ['http'],
  ['platform'],
  ['cli'],
];
/**
 * Where the product may start or drive the sandbox (tests aside): the composition root, the CLI,
 * the sandbox-calls route and its port, and the agent-tests route (a test case's caller is a sandbox scenario).
 */
const SANDBOX_USERS = [
  'platform/',
  'cli/',
  'http/sandbox-calls-port.ts',
  'http/routes/sandbox-calls.ts',
  'http/routes/agent-tests.ts',
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const layerOf = new Map(LAYERS.flatMap((areas, rank) => areas.map((area) => [area, rank] as const)));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.test(-support)?\.ts$|\.test\.ts$/.test(entry.name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

const areaOf = (file: string) => relative(src, file).split('/')[0]!;

describe('dependency order (docs/architecture.md)', () => {
  const files = sourceFiles(src);

  it('knows every area under src/', () => {
    const areas = new Set(files.map(areaOf).filter((a) => !a.endsWith('.ts')));
    expect([...areas].filter((a) => !layerOf.has(a))).toEqual([]);
  });

  it('has every area import only its own layer or those below', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = areaOf(file);
      const rank = layerOf.get(from);
      if (rank === undefined) continue;
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(src)) continue;
        const to = areaOf(target);
        const targetRank = layerOf.get(to);
        if (targetRank !== undefined && targetRank > rank) {
          upward.push(`${relative(src, file)} → ${relative(src, target)}`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it('has lib import nothing of the project', () => {
    const outside = files
      .filter((f) => areaOf(f) === 'lib')
      .flatMap((f) =>
        importsOf(f)
          .filter((s) => s.startsWith('.') && !resolve(dirname(f), s).startsWith(join(src, 'lib')))
          .map((s) => `${relative(src, f)} → ${s}`),
      );
    expect(outside).toEqual([]);
  });

  it('starts the sandbox only from the composition root, the CLI and the sandbox-calls route', () => {
    const users = files
      .filter((f) => importsOf(f).includes('@switchboard/sandbox'))
      .map((f) => relative(src, f))
      .filter((f) => !SANDBOX_USERS.some((allowed) => f.startsWith(allowed)));
    expect(users).toEqual([]);
  });

  it('keeps the sandbox package free of the product', () => {
    const sandboxSrc = join(root, 'packages/sandbox/src');
    const leaks = sourceFiles(sandboxSrc).flatMap((f) =>
      importsOf(f)
        .filter((s) => s.startsWith('.') && !resolve(dirname(f), s).startsWith(sandboxSrc))
        .map((s) => `${relative(root, f)} → ${s}`),
    );
    expect(leaks).toEqual([]);
  });
});
