import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AwsClient } from 'aws4fetch';
import { assertBlobKey, type BlobStore, type ByteRange } from './blob-store.js';

export interface S3Settings {
  bucket: string;
  /** S3-compatible endpoint (MinIO, R2, …); AWS S3 for the region when absent. */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Retries of a request answered 5xx or 429, with jittered exponential backoff. Default 3. */
  retries?: number;
}

/**
 * Blobs in an S3-compatible bucket, path-style (`{endpoint}/{bucket}/{key}`), requests signed
 * (AWS Signature Version 4) and retried by aws4fetch.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  private readonly base: URL;
  private readonly client: AwsClient;

  constructor(private readonly settings: S3Settings) {
    this.base = new URL(settings.endpoint ?? `https://s3.${settings.region}.amazonaws.com`);
    this.client = new AwsClient({
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      service: 's3',
      region: settings.region,
      retries: settings.retries ?? 3,
    });
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    const res = await this.send('PUT', key, { body: data, headers: { 'content-type': contentType } });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`S3 PUT failed with ${res.status}`);
  }

  async get(key: string): Promise<Buffer | null> {
    const res = await this.send('GET', key);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`S3 GET failed with ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }

  async size(key: string): Promise<number | null> {
    const res = await this.send('HEAD', key);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`S3 HEAD failed with ${res.status}`);
    return Number(res.headers.get('content-length'));
  }

  async stream(key: string, range?: ByteRange): Promise<Readable | null> {
    const res = await this.send('GET', key, {
      headers: range ? { range: `bytes=${range.start}-${range.end}` } : {},
    });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new Error(`S3 GET failed with ${res.status}`);
    }
    return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  }

  async delete(key: string): Promise<void> {
    const res = await this.send('DELETE', key);
    await res.body?.cancel();
    if (!res.ok && res.status !== 404) throw new Error(`S3 DELETE failed with ${res.status}`);
  }

  private send(
    method: string,
    key: string,
    init: { body?: Buffer; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    assertBlobKey(key);
    const url = new URL(this.base);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/${this.settings.bucket}/${key}`
      .split('/')
      .map((part) => encodeURIComponent(part))
      .join('/');
    return this.client.fetch(url.toString(), {
      method,
      headers: init.headers ?? {},
      ...(init.body ? { body: init.body } : {}),
    });
  }
}
