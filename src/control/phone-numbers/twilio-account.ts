import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { AppError } from '../../lib/errors.js';

/** The agency's Twilio account, from configuration. */
export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** Replaces https://*.twilio.com (the sandbox emulator); unset for the real service. */
  apiBaseUrl?: string;
}

/** A number as the Twilio account holds it. */
export interface TwilioNumber {
  sid: string;
  e164: string;
  friendlyName: string;
  voiceUrl: string | null;
  voiceMethod: string | null;
}

/** Sends the SDK's requests to another base URL, keeping path and query; the SDK itself runs unchanged. */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ keepAlive: false });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const url = new URL(opts.uri);
    const uri = url.hostname.endsWith('twilio.com')
      ? `${this.baseUrl}${url.pathname}${url.search}`
      : opts.uri;
    return super.request<TData>({ ...opts, uri });
  }
}

export function requireTwilio(settings: TwilioSettings | undefined): TwilioSettings {
  if (!settings) {
    throw new AppError(
      'TWILIO_NOT_CONFIGURED',
      'Twilio is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN',
    );
  }
  return settings;
}

function client(settings: TwilioSettings): twilio.Twilio {
  return twilio(settings.accountSid, settings.authToken, {
    ...(settings.apiBaseUrl
      ? { httpClient: new BaseUrlRequestClient(settings.apiBaseUrl.replace(/\/$/, '')) }
      : {}),
  });
}

function toNumber(n: {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  voiceUrl: string;
  voiceMethod: string;
}): TwilioNumber {
  return {
    sid: n.sid,
    e164: n.phoneNumber,
    friendlyName: n.friendlyName,
    voiceUrl: n.voiceUrl || null,
    voiceMethod: n.voiceMethod || null,
  };
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    if (status === 404) throw new AppError('TWILIO_NUMBER_NOT_FOUND', `Twilio has no such number (${what})`);
    const detail =
      status === 401 || status === 403 ? 'Twilio rejected the account credentials' : (err as Error).message;
    throw new AppError('TWILIO_UNAVAILABLE', `Twilio ${what} failed: ${detail}`, undefined, { cause: err });
  }
}

/** Every incoming number of the account (the SDK pages through them). */
export function listTwilioNumbers(settings: TwilioSettings): Promise<TwilioNumber[]> {
  return call('listing numbers', async () =>
    (await client(settings).incomingPhoneNumbers.list({ pageSize: 1000, limit: 5000 })).map(toNumber),
  );
}

/** The account's number with this E.164, if any. */
export function findTwilioNumber(settings: TwilioSettings, e164: string): Promise<TwilioNumber | undefined> {
  return call('looking up a number', async () => {
    const [found] = await client(settings).incomingPhoneNumbers.list({ phoneNumber: e164, limit: 20 });
    return found && found.phoneNumber === e164 ? toNumber(found) : undefined;
  });
}

export function fetchTwilioNumber(settings: TwilioSettings, sid: string): Promise<TwilioNumber> {
  return call('fetching a number', async () =>
    toNumber(await client(settings).incomingPhoneNumbers(sid).fetch()),
  );
}

/** Points the number's voice webhook (POST) at `voiceUrl`. */
export function setTwilioVoiceUrl(
  settings: TwilioSettings,
  sid: string,
  voiceUrl: string,
): Promise<TwilioNumber> {
  return call('updating the voice webhook', async () =>
    toNumber(await client(settings).incomingPhoneNumbers(sid).update({ voiceUrl, voiceMethod: 'POST' })),
  );
}
