import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

/**
 * An httpClient for the `twilio` package that sends every `https://*.twilio.com` request to the
 * emulator instead, keeping path and query. The rest of the SDK (auth, form encoding, paging,
 * RestException) runs unchanged.
 */
export class EmulatorRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ keepAlive: false });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: rewriteTwilioUrl(opts.uri, this.baseUrl) });
  }
}

export function rewriteTwilioUrl(uri: string, baseUrl: string): string {
  const url = new URL(uri);
  if (!url.hostname.endsWith('twilio.com')) return uri;
  return baseUrl.replace(/\/$/, '') + url.pathname + url.search;
}

/** A real `twilio` REST client whose requests go to the emulator at `baseUrl`. */
export function twilioClientForEmulator(emulator: {
  url: string;
  accountSid: string;
  authToken: string;
}): twilio.Twilio {
  return twilio(emulator.accountSid, emulator.authToken, {
    httpClient: new EmulatorRequestClient(emulator.url),
  });
}
