import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FilesystemBlobStore } from './filesystem-blob-store.js';
import { S3BlobStore, signV4 } from './s3-blob-store.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('FilesystemBlobStore', () => {
  it('puts, gets and deletes by key, and refuses keys that escape its directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blobs-'));
    dirs.push(dir);
    const store = new FilesystemBlobStore(dir);
    await store.put('tnt_a/call_1.wav', Buffer.from('RIFF'), 'audio/wav');
    expect((await store.get('tnt_a/call_1.wav'))?.toString()).toBe('RIFF');
    await store.delete('tnt_a/call_1.wav');
    expect(await store.get('tnt_a/call_1.wav')).toBeNull();
    await expect(store.put('../escape', Buffer.alloc(1), 'x')).rejects.toThrow(/invalid blob key/);
    await expect(store.get('/etc/passwd')).rejects.toThrow(/invalid blob key/);
  });
});

describe('S3 signing', () => {
  it('matches the AWS Signature V4 example (GET Object with a Range header)', () => {
    const headers = signV4({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      headers: { Range: 'bytes=0-9' },
      body: Buffer.alloc(0),
      region: 'us-east-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      now: new Date('2013-05-24T00:00:00Z'),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('sends path-style requests to the configured endpoint', async () => {
    const seen: { method: string; url: string }[] = [];
    const store = new S3BlobStore(
      {
        bucket: 'recordings',
        endpoint: 'http://127.0.0.1:9000',
        region: 'us-east-1',
        accessKeyId: 'k',
        secretAccessKey: 's',
      },
      async (input, init) => {
        seen.push({ method: init?.method ?? 'GET', url: String(input) });
        return new Response(init?.method === 'GET' ? 'wav' : null, { status: 200 });
      },
    );
    await store.put('tnt_a/call_1.wav', Buffer.from('wav'), 'audio/wav');
    expect((await store.get('tnt_a/call_1.wav'))?.toString()).toBe('wav');
    expect(seen).toEqual([
      { method: 'PUT', url: 'http://127.0.0.1:9000/recordings/tnt_a/call_1.wav' },
      { method: 'GET', url: 'http://127.0.0.1:9000/recordings/tnt_a/call_1.wav' },
    ]);
  });
});
