import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import { newId } from '../../lib/ids.js';
import type { BlobStore } from '../../storage/index.js';
import type { StereoRecorder } from './stereo-recorder.js';

export interface SavedRecording {
  id: string;
  storageKey: string;
  durationMs: number;
  sizeBytes: number;
}

/** Writes a call's stereo recording to the blob store and records it in `recordings`. */
export async function saveRecording(
  deps: Pick<Deps, 'db'>,
  blobs: BlobStore,
  call: { id: string; tenantId: string },
  recorder: StereoRecorder,
): Promise<SavedRecording> {
  const wav = recorder.toWav();
  // Relative to the recordings store (its directory or bucket is already "recordings").
  const storageKey = `${call.tenantId}/${call.id}.wav`;
  await blobs.put(storageKey, wav, 'audio/wav');
  const id = newId('recording');
  await withTenant(deps.db, call.tenantId, (tx) =>
    tx.insert(tables.recordings).values({
      id,
      tenantId: call.tenantId,
      callId: call.id,
      storageKey,
      contentType: 'audio/wav',
      channels: 2,
      sampleRate: recorder.sampleRate,
      durationMs: recorder.durationMs,
      sizeBytes: wav.length,
    }),
  );
  return { id, storageKey, durationMs: recorder.durationMs, sizeBytes: wav.length };
}
