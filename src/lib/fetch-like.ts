/** The part of a fetch Response Switchboard reads (global fetch and undici's both fit). */
export interface FetchResponse {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  body: ReadableStream<Uint8Array> | null;
  json(): Promise<unknown>;
}

export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  redirect: 'manual';
  signal: AbortSignal;
}

/** An outbound HTTP client: the SSRF guard's (`OutboundGuard.fetch`) in the app, global fetch in tests. */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;
