import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/** semver ships with npm's dependency tree (typed here by hand: it has no bundled types). */
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

interface LockPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

const root = new URL('../', import.meta.url);
const readJson = (name: string) => JSON.parse(readFileSync(new URL(name, root), 'utf8'));

describe('package.json engines', () => {
  it('the oldest Node it admits satisfies every locked dependency (npm ci prints no EBADENGINE)', () => {
    const manifest = readJson('package.json') as { engines: { node: string } };
    const oldest = semver.minVersion(manifest.engines.node)?.version;
    expect(oldest).toBeDefined();
    const lock = readJson('package-lock.json') as { packages: Record<string, LockPackage> };
    const refused = Object.entries(lock.packages).flatMap(([path, pkg]) => {
      const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
      if (!path || !range || semver.satisfies(oldest!, range)) return [];
      return [`${path}@${pkg.version ?? '?'} needs node ${range}`];
    });
    expect(refused).toEqual([]);
  });
});
