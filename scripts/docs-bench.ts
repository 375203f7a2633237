/** Rewrites the latest-figures table in README.md from `bench/results/latest.json` (`npm run docs:bench`). */
import { readFileSync, writeFileSync } from 'node:fs';
import { type Figure, readmeTable } from '../bench/support/figures.js';

const latest = JSON.parse(readFileSync(new URL('../bench/results/latest.json', import.meta.url), 'utf8')) as {
  figures: Figure[];
  commit: string;
  durationS: number;
};
const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
if (!readme.includes('<!-- bench:start -->')) throw new Error('README.md has no <!-- bench:start --> marker');
writeFileSync(
  path,
  readme.replace(
    /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
    `<!-- bench:start -->\n${readmeTable(latest.figures)}\n\nCommit ${latest.commit}, ${Math.round(latest.durationS)} s for the run.\n<!-- bench:end -->`,
  ),
);
