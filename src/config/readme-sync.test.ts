import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { configTableMarkdown } from './index.js';

it('README documents exactly the configuration the code reads (npm run docs:config)', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const table = /<!-- config:start -->\n([\s\S]*)\n<!-- config:end -->/.exec(readme)?.[1];
  expect(table).toBe(configTableMarkdown());
});
