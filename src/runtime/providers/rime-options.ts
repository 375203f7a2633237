/** How the call engine reaches Rime, shared by the HTTP and /ws3 streams. */
export interface RimeTTSOptions {
  apiKey: string;
  /** HTTP API base, e.g. `https://users.rime.ai`; synthesis is `POST {baseUrl}/v1/rime-tts`. */
  baseUrl: string;
  /** WebSocket base, e.g. `wss://users-ws.rime.ai`; streaming synthesis is `{wsUrl}/ws3`. */
  wsUrl?: string;
  /** `http`: one chunked request per sentence; `ws3`: one streaming socket per reply. */
  transport?: 'http' | 'ws3';
  speaker: string;
  modelId: string;
  /** Output rate; 8000 for the phone, so nothing is resampled on the way to the caller. */
  sampleRate: number;
  lang?: string;
  speedAlpha?: number;
  /** How long to wait for the response to start (HTTP headers, or the socket to open). Default 10 s. */
  connectTimeoutMs?: number;
}

/** Rime's `lang` codes (ISO 639-2, as its API documents them) for the agent's BCP 47 language. */
const RIME_LANG: Record<string, string> = {
  en: 'eng',
  es: 'spa',
  fr: 'fra',
  de: 'ger',
  pt: 'por',
  ja: 'jpn',
  hi: 'hin',
};

/** The `lang` to send Rime for an agent language such as `es-US`; undefined for one Rime lacks. */
export function rimeLang(language: string): string | undefined {
  return RIME_LANG[language.split('-')[0]!.toLowerCase()];
}
