import { Writable } from 'node:stream';
import { createLogger } from '../../src/lib/logger.js';
import type { TestBackend } from './backend.js';

/**
 * The backend with the server's own logger (as `switchboard start` builds it, redaction included)
 * writing each line into `lines`, where the test can read it.
 */
export function withLogCapture(backend: TestBackend, level: string, lines: string[]): TestBackend {
  const capture = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { ...backend, deps: { ...backend.deps, log: createLogger(level, capture) } };
}
