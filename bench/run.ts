import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Runs every `bench/*.bench.ts` in turn (or those named on the command line); each exports a default async function. */
const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();

for (const file of files) {
  console.log(`\n# ${file}`);
  const started = performance.now();
  const bench = (await import(pathToFileURL(`${dir}${file}`).href)) as { default: () => Promise<void> };
  await bench.default();
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
