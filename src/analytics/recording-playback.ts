import type { Readable } from 'node:stream';
import { desc, eq } from 'drizzle-orm';
import parseRange from 'range-parser';
import { tables, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { AppError } from '../lib/errors.js';
import type { BlobStore, ByteRange } from '../storage/index.js';

export interface RecordingPlayback {
  status: 200 | 206;
  headers: Record<string, string>;
  body: Readable;
}

/**
 * The requested bytes of a stored size: the whole blob without a Range header, one range for
 * `bytes=a-b`, `bytes=a-` or a suffix `bytes=-n`; unsatisfiable or malformed ranges are refused (416).
 * Several ranges are served as the one range covering them.
 */
export function requestedRange(header: string | undefined, size: number): ByteRange | null {
  if (header === undefined || header === '') return null;
  const ranges = parseRange(size, header, { combine: true });
  if (ranges === -1 || ranges === -2 || ranges.type !== 'bytes' || ranges.length === 0) {
    throw new AppError('RANGE_NOT_SATISFIABLE', 'the requested range is not satisfiable', undefined, {
      headers: { 'content-range': `bytes */${size}` },
    });
  }
  return {
    start: Math.min(...ranges.map((r) => r.start)),
    end: Math.max(...ranges.map((r) => r.end)),
  };
}

/**
 * A call's recording as an HTTP answer: streamed from the blob store (never read whole), with
 * byte ranges for seeking, `Content-Disposition: attachment` when downloaded.
 */
export async function playRecording(
  deps: Pick<Deps, 'db'>,
  blobs: BlobStore,
  req: { tenantId: string; callId: string; range?: string; download?: boolean },
): Promise<RecordingPlayback> {
  const row = await withTenant(deps.db, req.tenantId, async (tx) => {
    const [call] = await tx
      .select({ contentDeletedAt: tables.calls.contentDeletedAt })
      .from(tables.calls)
      .where(eq(tables.calls.id, req.callId));
    if (!call) throw new AppError('CALL_NOT_FOUND', 'call not found');
    if (call.contentDeletedAt) return null;
    const [recording] = await tx
      .select({ storageKey: tables.recordings.storageKey, contentType: tables.recordings.contentType })
      .from(tables.recordings)
      .where(eq(tables.recordings.callId, req.callId))
      .orderBy(desc(tables.recordings.createdAt))
      .limit(1);
    return recording ?? null;
  });
  const size = row ? await blobs.size(row.storageKey) : null;
  if (!row || size === null) throw new AppError('RECORDING_NOT_FOUND', 'this call has no recording');
  const range = requestedRange(req.range, size);
  const body = await blobs.stream(row.storageKey, range ?? undefined);
  if (!body) throw new AppError('RECORDING_NOT_FOUND', 'this call has no recording');
  const headers: Record<string, string> = {
    'content-type': row.contentType,
    'accept-ranges': 'bytes',
    'content-length': String(range ? range.end - range.start + 1 : size),
    'cache-control': 'private, max-age=300',
  };
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
  if (req.download) headers['content-disposition'] = `attachment; filename="${req.callId}.wav"`;
  return { status: range ? 206 : 200, headers, body };
}
