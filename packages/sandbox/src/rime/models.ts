export const RIME_MODELS = ['coda', 'mistv3', 'mistv2', 'mist', 'arcana', 'arcanav2'] as const;

/** Rime's documented default `samplingRate` per model. */
export function defaultSamplingRate(modelId: string): number {
  return modelId.startsWith('mist') ? 22050 : 24000;
}

/** mist models take at most 500 characters per request. */
export function maxTextLength(modelId: string): number | undefined {
  return modelId.startsWith('mist') ? 500 : undefined;
}

export function isKnownModel(modelId: string): boolean {
  return (RIME_MODELS as readonly string[]).includes(modelId);
}
