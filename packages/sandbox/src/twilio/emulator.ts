import { randomBytes } from 'node:crypto';
import { listenEmulator } from '../http/listen.js';
import { type EmulatedCall, type PlaceCallOptions, placeCall } from './call.js';
import { newTwilioSid } from './ids.js';
import { type IncomingPhoneNumber, newPhoneNumber, type PhoneNumberConfig } from './phone-numbers.js';
import { handleRestRequest } from './rest-api.js';
import { twilioClientForEmulator } from './rest-client.js';

/** How many ended calls the emulator keeps for lookups (REST API, tests). */
const ENDED_CALLS_KEPT = 50;

export interface TwilioEmulatorOptions {
  host?: string;
  port?: number;
  accountSid?: string;
  authToken?: string;
  numbers?: PhoneNumberConfig[];
  /** Defaults for every call placed through this emulator. */
  callDefaults?: Partial<Omit<PlaceCallOptions, 'from' | 'to' | 'accountSid' | 'authToken'>>;
}

export type EmulatorCallOptions = Partial<Omit<PlaceCallOptions, 'accountSid' | 'authToken'>> & {
  from: string;
  to: string;
};

export interface TwilioEmulator {
  /** Base URL of the REST API, e.g. `http://127.0.0.1:41234` (stands in for `https://api.twilio.com`). */
  url: string;
  accountSid: string;
  authToken: string;
  numbers: IncomingPhoneNumber[];
  calls: ReadonlyMap<string, EmulatedCall>;
  addNumber(config: PhoneNumberConfig): IncomingPhoneNumber;
  /**
   * Places an inbound call to `to`. Without `voiceUrl`, the call goes where the number's Voice URL
   * points (as configured, or as updated through the REST API).
   */
  placeCall(options: EmulatorCallOptions): Promise<EmulatedCall>;
  /** A real `twilio` package client wired to this emulator. */
  restClient(): ReturnType<typeof twilioClientForEmulator>;
  close(): Promise<void>;
}

export async function startTwilioEmulator(options: TwilioEmulatorOptions = {}): Promise<TwilioEmulator> {
  const accountSid = options.accountSid ?? newTwilioSid('AC');
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const numbers = (options.numbers ?? []).map(newPhoneNumber);
  const calls = new Map<string, EmulatedCall>();
  const endedCalls: string[] = [];
  const state = { accountSid, authToken, numbers, calls };

  const server = await listenEmulator(
    { request: (req, res) => handleRestRequest(req, res, state) },
    { host: options.host, port: options.port },
  );

  const emulator: TwilioEmulator = {
    url: server.url,
    accountSid,
    authToken,
    numbers,
    calls,
    addNumber(config) {
      const number = newPhoneNumber(config);
      numbers.push(number);
      return number;
    },
    async placeCall(callOptions) {
      const number = numbers.find((n) => n.phoneNumber === callOptions.to);
      const voiceUrl = callOptions.voiceUrl ?? number?.voiceUrl;
      if (!voiceUrl)
        throw new Error(`no Voice URL for ${callOptions.to}: pass voiceUrl or configure the number`);
      const callOptionsWithNumber: PlaceCallOptions = {
        ...options.callDefaults,
        voiceMethod: number?.voiceMethod,
        voiceFallbackUrl: number?.voiceFallbackUrl || undefined,
        statusCallbackUrl: number?.statusCallback || undefined,
        ...callOptions,
        voiceUrl,
        accountSid,
        authToken,
      };
      return placeCall(callOptionsWithNumber, (call) => {
        calls.set(call.callSid, call);
        // Ended calls stay readable through the REST API, but only the most recent ones: a long-running
        // sandbox would otherwise keep every call's audio, events and session for good.
        void call.ended.then(() => {
          endedCalls.push(call.callSid);
          while (endedCalls.length > ENDED_CALLS_KEPT) calls.delete(endedCalls.shift()!);
        });
      });
    },
    restClient: () => twilioClientForEmulator({ url: server.url, accountSid, authToken }),
    async close() {
      await Promise.all([...calls.values()].filter((c) => c.isActive).map((c) => c.hangup()));
      await server.close();
    },
  };
  return emulator;
}
