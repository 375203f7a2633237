import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from './blob-store.js';
import { FilesystemBlobStore } from './filesystem-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'blobs-'));
  dirs.push(dir);
  return dir;
};

let s3: S3rver;
let s3Url: string;
beforeAll(async () => {
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: await tempDir(),
    configureBuckets: [{ name: 'recordings' }],
  });
  const address = await s3.run();
  s3Url = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await s3?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function readAll(stream: Readable | null): Promise<string | null> {
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString();
}

const stores: [string, () => Promise<BlobStore>][] = [
  ['FilesystemBlobStore', async () => new FilesystemBlobStore(await tempDir())],
  [
    'S3BlobStore (s3rver)',
    async () =>
      new S3BlobStore({
        bucket: 'recordings',
        endpoint: s3Url,
        region: 'us-east-1',
        // s3rver's built-in account.
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
      }),
  ],
];

describe.each(stores)('%s', (_name, open) => {
  it('puts, gets, sizes and deletes by key', async () => {
    const store = await open();
    await store.put('tnt_a/call_1.wav', Buffer.from('RIFF0123456789'), 'audio/wav');
    expect((await store.get('tnt_a/call_1.wav'))?.toString()).toBe('RIFF0123456789');
    expect(await store.size('tnt_a/call_1.wav')).toBe(14);
    await store.delete('tnt_a/call_1.wav');
    expect(await store.get('tnt_a/call_1.wav')).toBeNull();
    expect(await store.size('tnt_a/call_1.wav')).toBeNull();
    expect(await store.stream('tnt_a/call_1.wav')).toBeNull();
  });

  it('streams the whole blob or an inclusive byte range of it', async () => {
    const store = await open();
    await store.put('tnt_a/call_2.wav', Buffer.from('0123456789abcdef'), 'audio/wav');
    expect(await readAll(await store.stream('tnt_a/call_2.wav'))).toBe('0123456789abcdef');
    expect(await readAll(await store.stream('tnt_a/call_2.wav', { start: 0, end: 3 }))).toBe('0123');
    expect(await readAll(await store.stream('tnt_a/call_2.wav', { start: 5, end: 9 }))).toBe('56789');
    expect(await readAll(await store.stream('tnt_a/call_2.wav', { start: 12, end: 15 }))).toBe('cdef');
  });

  it('refuses keys that escape the store', async () => {
    const store = await open();
    await expect(store.put('../escape', Buffer.alloc(1), 'x')).rejects.toThrow(/invalid blob key/);
    await expect(store.get('/etc/passwd')).rejects.toThrow(/invalid blob key/);
    await expect(store.stream('a/../../b')).rejects.toThrow(/invalid blob key/);
  });
});

describe('S3BlobStore against s3rver', () => {
  // s3rver checks the access key of a V4 signature (not the signature itself).
  it('sends the signed credentials: an unknown access key is refused', async () => {
    const store = new S3BlobStore({
      bucket: 'recordings',
      endpoint: s3Url,
      region: 'us-east-1',
      accessKeyId: 'AKIDUNKNOWN',
      secretAccessKey: 'S3RVER',
      retries: 0,
    });
    await expect(store.put('tnt_a/x.wav', Buffer.from('x'), 'audio/wav')).rejects.toThrow(/403/);
  });
});
