import { checkVoice, DEFAULT_WS3_MODEL, defaultSamplingRate, isKnownModel } from './models.js';

export type Segmentation = 'bySentence' | 'immediate' | 'never';

/** Synthesis settings of a /ws3 connection: all from the query string, fixed for its life. */
export interface Ws3Settings {
  speaker: string;
  modelId: string;
  /** The `lang` query parameter, when given. */
  lang: string | undefined;
  format: 'mulaw' | 'pcm';
  samplingRate: number;
  segment: Segmentation;
}

export type Ws3SettingsResult = { ok: true; settings: Ws3Settings } | { ok: false; message: string };

export function parseWs3Settings(query: URLSearchParams): Ws3SettingsResult {
  const speaker = query.get('speaker');
  if (!speaker) return { ok: false, message: 'speaker is required' };
  const modelId = query.get('modelId') ?? DEFAULT_WS3_MODEL;
  if (!isKnownModel(modelId)) return { ok: false, message: `unknown modelId: ${modelId}` };
  const lang = query.get('lang') ?? undefined;
  const refused = checkVoice(modelId, speaker, lang);
  if (refused) return { ok: false, message: refused };
  const audioFormat = query.get('audioFormat') ?? 'pcm';
  if (audioFormat !== 'pcm' && audioFormat !== 'mulaw') {
    return { ok: false, message: `The emulator streams pcm or mulaw, not ${audioFormat}.` };
  }
  const rateRaw = query.get('samplingRate');
  const samplingRate =
    rateRaw === null ? (audioFormat === 'mulaw' ? 8000 : defaultSamplingRate(modelId)) : Number(rateRaw);
  if (!Number.isInteger(samplingRate) || samplingRate < 4000 || samplingRate > 96000) {
    return { ok: false, message: `invalid samplingRate: ${rateRaw}` };
  }
  const segmentRaw = query.get('immediate') === 'true' ? 'immediate' : (query.get('segment') ?? 'bySentence');
  if (segmentRaw !== 'bySentence' && segmentRaw !== 'immediate' && segmentRaw !== 'never') {
    return { ok: false, message: `invalid segment: ${segmentRaw}` };
  }
  return {
    ok: true,
    settings: { speaker, modelId, lang, format: audioFormat, samplingRate, segment: segmentRaw },
  };
}

/** Splits off complete sentences (ending in `.`, `?` or `!` then whitespace or the end). */
export function takeSentences(buffer: string): { sentences: string[]; rest: string } {
  const sentences: string[] = [];
  let rest = buffer;
  for (let match = /^(.*?[.?!]+)(?:\s+|$)/s.exec(rest); match; match = /^(.*?[.?!]+)(?:\s+|$)/s.exec(rest)) {
    if (match[1]!.trim()) sentences.push(match[1]!.trim());
    rest = rest.slice(match[0].length);
  }
  return { sentences, rest };
}
