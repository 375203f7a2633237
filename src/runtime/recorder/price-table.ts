import type { ModelUsageEntry } from './usage.js';

/**
 * USD per unit, keyed `provider:metric`, or `provider:model:metric` for a model-specific price.
 * Provider prices change; these defaults are list prices at the time of writing, meant to be
 * overridden by configuration (`PRICE_TABLE`).
 */
export type PriceTable = Record<string, number>;

export const DEFAULT_PRICES: PriceTable = {
  // Deepgram Nova-3 streaming, $0.0077 per minute.
  'deepgram:audio_seconds': 0.0077 / 60,
  // OpenAI gpt-4.1-mini, per token.
  'openai:input_tokens': 0.4 / 1e6,
  'openai:cached_input_tokens': 0.1 / 1e6,
  'openai:output_tokens': 1.6 / 1e6,
  'openai:gpt-4.1:input_tokens': 2 / 1e6,
  'openai:gpt-4.1:cached_input_tokens': 0.5 / 1e6,
  'openai:gpt-4.1:output_tokens': 8 / 1e6,
  // Rime, per character synthesized.
  'rime:characters': 0.00004,
  // Telephony per minute of the call, by transport: Twilio inbound local voice ($0.0085/min), plus
  // Twilio SIP and LiveKit SIP for LiveKit; the sandbox costs nothing.
  'telephony:twilio_media_streams:minutes': 0.0085,
  'telephony:livekit:minutes': 0.0085 + 0.004 + 0.003,
  'telephony:sandbox:minutes': 0,
};

/** The telephony cost line of a call of `durationMs` on `transport` (null when no transport). */
export function telephonyCostLine(
  transport: string | null,
  durationMs: number,
  prices: PriceTable,
): CostLine | null {
  if (!transport) return null;
  const unit = prices[`telephony:${transport}:minutes`] ?? prices['telephony:minutes'] ?? 0;
  const minutes = durationMs / 60_000;
  return {
    provider: 'telephony',
    metric: `${transport}_minutes`,
    quantity: minutes,
    unitPriceUsd: unit,
    amountUsd: minutes * unit,
  };
}

export interface CostLine {
  provider: string;
  metric: string;
  quantity: number;
  unitPriceUsd: number;
  amountUsd: number;
}

/** One line per provider and metric (models of a provider priced separately, then summed). */
export function costLines(entries: readonly ModelUsageEntry[], prices: PriceTable): CostLine[] {
  const lines = new Map<string, CostLine>();
  for (const entry of entries) {
    const unit =
      prices[`${entry.provider}:${entry.model}:${entry.metric}`] ??
      prices[`${entry.provider}:${entry.metric}`] ??
      0;
    const key = `${entry.provider}:${entry.metric}`;
    const line = lines.get(key) ?? {
      provider: entry.provider,
      metric: entry.metric,
      quantity: 0,
      unitPriceUsd: 0,
      amountUsd: 0,
    };
    line.quantity += entry.quantity;
    line.amountUsd += entry.quantity * unit;
    line.unitPriceUsd = line.quantity > 0 ? line.amountUsd / line.quantity : unit;
    lines.set(key, line);
  }
  return [...lines.values()];
}
