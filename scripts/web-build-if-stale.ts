/**
 * `prestart`: builds the web app when `web/dist` is missing or older than its sources, so a fresh
 * `npm install && npm start` serves a built Ops Console and Client Portal. A quick mtime check.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../web/', import.meta.url).pathname;
const built = join(root, 'dist', 'index.html');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(root, p));
const sourceTime = Math.max(...sources.filter((p) => existsSync(p)).map(newest));
if (existsSync(built) && statSync(built).mtimeMs >= sourceTime) process.exit(0);

process.stdout.write(
  `[web] building the web app (${existsSync(built) ? 'web/src changed since the last build' : 'web/dist is missing'}); this takes a minute…\n`,
);
const result = spawnSync('npm', ['run', 'build', '--workspace', 'web'], { stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write('[web] the web app did not build; see the errors above\n');
  process.exit(result.status ?? 1);
}
process.stdout.write('[web] built web/dist\n');
