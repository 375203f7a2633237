/** Rewrites the configuration table in README.md from the config schema (`npm run docs:config`). */
import { readFileSync, writeFileSync } from 'node:fs';
import { configTableMarkdown } from '../src/config/index.js';

const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const next = readme.replace(
  /<!-- config:start -->[\s\S]*<!-- config:end -->/,
  `<!-- config:start -->\n${configTableMarkdown()}\n<!-- config:end -->`,
);
writeFileSync(path, next);
