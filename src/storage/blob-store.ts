import type { Readable } from 'node:stream';

/** Bytes `start` to `end` of a blob, both inclusive (as in HTTP `Content-Range`). */
export interface ByteRange {
  start: number;
  end: number;
}

/** Where call recordings (and other large files) live: a directory, or an S3-compatible bucket. */
export interface BlobStore {
  readonly kind: 'filesystem' | 's3';
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** The bytes, or null when the key does not exist. */
  get(key: string): Promise<Buffer | null>;
  /** The blob's size in bytes, or null when the key does not exist. */
  size(key: string): Promise<number | null>;
  /**
   * The blob (or one range of it) as a stream read from the store as it is consumed, never held
   * whole in memory; null when the key does not exist. The range must lie inside the blob.
   */
  stream(key: string, range?: ByteRange): Promise<Readable | null>;
  delete(key: string): Promise<void>;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** Keys are relative paths of safe characters; no `..` segments, so a key cannot escape the store. */
export function assertBlobKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new Error(`invalid blob key: ${key}`);
  }
}
