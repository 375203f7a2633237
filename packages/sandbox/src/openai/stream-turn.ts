import type { ServerResponse } from 'node:http';
import { serverErrorBody } from './errors.js';
import { isGone, writeFlushed } from './http-io.js';

export type StreamOutcome = 'completed' | 'dropped' | 'stream_error' | 'client_closed';

export interface StreamFaults {
  /** Wait before chunk i (i ≥ 1). */
  chunkDelayMs: (chunk: object) => number;
  /** Waits `ms`; false when the client went away meanwhile. */
  pause: (ms: number) => Promise<boolean>;
  /** Destroy the socket after this many events (before `[DONE]`). */
  dropAfterChunks?: number | undefined;
  /** Send a `data: {"error":…}` event after this many events, then end. */
  errorAfterChunks?: number | undefined;
}

/** Sends SSE `data:` events then `[DONE]`, applying the chunk delay and mid-stream faults. */
export async function streamChunks(
  res: ServerResponse,
  headers: Record<string, string>,
  chunks: readonly object[],
  faults: StreamFaults,
): Promise<StreamOutcome> {
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  const dropAt =
    faults.dropAfterChunks === undefined ? undefined : Math.min(faults.dropAfterChunks, chunks.length);
  const errorAt =
    faults.errorAfterChunks === undefined ? undefined : Math.min(faults.errorAfterChunks, chunks.length);
  for (let i = 0; i <= chunks.length; i++) {
    if (isGone(res)) return 'client_closed';
    if (i === dropAt) {
      res.socket?.destroy();
      return 'dropped';
    }
    if (i === errorAt) {
      await writeFlushed(res, `data: ${JSON.stringify(serverErrorBody())}\n\n`);
      res.end();
      return 'stream_error';
    }
    const chunk = chunks[i];
    if (chunk === undefined) break;
    const delayMs = i > 0 ? faults.chunkDelayMs(chunk) : 0;
    if (delayMs > 0 && !(await faults.pause(delayMs))) return 'client_closed';
    await writeFlushed(res, `data: ${JSON.stringify(chunk)}\n\n`);
  }
  await writeFlushed(res, 'data: [DONE]\n\n');
  res.end();
  return 'completed';
}
