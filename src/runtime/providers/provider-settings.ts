/** Where and how the call engine reaches its speech and language providers. */
export interface ProviderSettings {
  deepgram: { apiKey: string | undefined; url: string };
  openai: { apiKey: string | undefined; baseUrl: string };
  rime: { apiKey: string | undefined; url: string; wsUrl: string; transport: 'http' | 'ws3' };
  /**
   * Use `test-<CallSid>` as every provider's API key: the sandbox emulators route a call's
   * scripted behaviour by key. Only for the offline sandbox.
   */
  sandboxKeys: boolean;
}

export interface ProviderKeys {
  deepgram: string;
  openai: string;
  rime: string;
}

/** The API keys one call's providers use. */
export function providerKeysFor(settings: ProviderSettings, twilioCallSid: string | null): ProviderKeys {
  if (settings.sandboxKeys) {
    const key = `test-${twilioCallSid ?? 'call'}`;
    return { deepgram: key, openai: key, rime: key };
  }
  const missing = (name: string): never => {
    throw new Error(`${name} API key is not configured`);
  };
  return {
    deepgram: settings.deepgram.apiKey ?? missing('Deepgram'),
    openai: settings.openai.apiKey ?? missing('OpenAI'),
    rime: settings.rime.apiKey ?? missing('Rime'),
  };
}
