import { z } from 'zod';
import {
  checkVoice,
  DEFAULT_HTTP_MODEL,
  defaultSamplingRate,
  isKnownModel,
  maxTextLength,
} from './models.js';

/** Body of `POST /v1/rime-tts` (camelCase). Unknown fields are model options and pass through. */
export const RimeTtsRequest = z.looseObject({
  speaker: z.string().min(1),
  text: z.string().min(1),
  modelId: z.string().default(DEFAULT_HTTP_MODEL),
  lang: z.string().optional(),
  samplingRate: z.number().int().min(4000).max(96000).optional(),
  speedAlpha: z.number().positive().optional(),
});
export type RimeTtsRequest = z.infer<typeof RimeTtsRequest>;

export type ParsedTtsRequest =
  | { ok: true; request: RimeTtsRequest; samplingRate: number }
  | { ok: false; message: string };

export function parseTtsRequest(raw: string): ParsedTtsRequest {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'request body is not valid JSON' };
  }
  const parsed = RimeTtsRequest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` };
  }
  const request = parsed.data;
  if (!isKnownModel(request.modelId)) return { ok: false, message: `unknown modelId: ${request.modelId}` };
  const refused = checkVoice(request.modelId, request.speaker, request.lang);
  if (refused) return { ok: false, message: refused };
  const limit = maxTextLength(request.modelId);
  if (limit !== undefined && request.text.length > limit) {
    return { ok: false, message: `text exceeds the ${limit} character limit for ${request.modelId}` };
  }
  return { ok: true, request, samplingRate: request.samplingRate ?? defaultSamplingRate(request.modelId) };
}
