import { createHash, createHmac } from 'node:crypto';
import { assertBlobKey, type BlobStore } from './blob-store.js';

export interface S3Settings {
  bucket: string;
  /** S3-compatible endpoint (MinIO, R2, …); AWS S3 for the region when absent. */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Blobs in an S3-compatible bucket, path-style (`{endpoint}/{bucket}/{key}`), requests signed with
 * AWS Signature Version 4 over plain fetch.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  private readonly base: URL;

  constructor(
    private readonly settings: S3Settings,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.base = new URL(settings.endpoint ?? `https://s3.${settings.region}.amazonaws.com`);
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    const res = await this.send('PUT', key, data, { 'content-type': contentType });
    if (!res.ok) throw new Error(`S3 PUT failed with ${res.status}`);
  }

  async get(key: string): Promise<Buffer | null> {
    const res = await this.send('GET', key);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`S3 GET failed with ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }

  async delete(key: string): Promise<void> {
    const res = await this.send('DELETE', key);
    if (!res.ok && res.status !== 404) throw new Error(`S3 DELETE failed with ${res.status}`);
  }

  private send(method: string, key: string, body?: Buffer, headers: Record<string, string> = {}) {
    assertBlobKey(key);
    const url = new URL(this.base);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/${this.settings.bucket}/${key}`
      .split('/')
      .map((part) => encodeURIComponent(part))
      .join('/');
    const signed = signV4({
      method,
      url,
      headers,
      body: body ?? Buffer.alloc(0),
      region: this.settings.region,
      accessKeyId: this.settings.accessKeyId,
      secretAccessKey: this.settings.secretAccessKey,
      now: new Date(),
    });
    return this.fetchImpl(url, { method, headers: signed, ...(body ? { body } : {}) });
  }
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** AWS Signature Version 4 headers for one S3 request (service `s3`, payload hash signed). */
export function signV4(request: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  now: Date;
}): Record<string, string> {
  const amzDate = request.now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(request.body);
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v.trim()])),
    host: request.url.host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
  };
  const names = Object.keys(headers).sort();
  const query = [...request.url.searchParams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`)
    .join('&');
  const canonical = [
    request.method,
    request.url.pathname,
    query,
    ...names.map((n) => `${n}:${headers[n]}`),
    '',
    names.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${day}/${request.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${request.secretAccessKey}`, day), request.region), 's3'),
    'aws4_request',
  );
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${request.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
