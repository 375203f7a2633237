/** Where call recordings (and other large files) live: a directory, or an S3-compatible bucket. */
export interface BlobStore {
  readonly kind: 'filesystem' | 's3';
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** The bytes, or null when the key does not exist. */
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** Keys are relative paths of safe characters; no `..` segments, so a key cannot escape the store. */
export function assertBlobKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new Error(`invalid blob key: ${key}`);
  }
}
