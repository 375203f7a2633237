import { describe, expect, it } from 'vitest';
import { costLines, DEFAULT_PRICES } from './price-table.js';

describe('costLines', () => {
  it('prices usage by provider and metric, model-specific prices first', () => {
    const lines = costLines(
      [
        { provider: 'deepgram', model: 'nova-3', metric: 'audio_seconds', quantity: 60 },
        { provider: 'openai', model: 'gpt-4.1-mini', metric: 'input_tokens', quantity: 1_000_000 },
        { provider: 'openai', model: 'gpt-4.1', metric: 'input_tokens', quantity: 1_000_000 },
        { provider: 'rime', model: 'coda', metric: 'characters', quantity: 1000 },
      ],
      DEFAULT_PRICES,
    );
    const by = Object.fromEntries(lines.map((l) => [`${l.provider}:${l.metric}`, l]));
    expect(by['deepgram:audio_seconds']!.amountUsd).toBeCloseTo(0.0077);
    expect(by['openai:input_tokens']!.quantity).toBe(2_000_000);
    expect(by['openai:input_tokens']!.amountUsd).toBeCloseTo(2.4);
    expect(by['openai:input_tokens']!.unitPriceUsd).toBeCloseTo(1.2 / 1e6);
    expect(by['rime:characters']!.amountUsd).toBeCloseTo(0.04);
  });

  it('prices an unknown metric at zero rather than failing', () => {
    expect(
      costLines([{ provider: 'rime', model: 'x', metric: 'characters', quantity: 5 }], {})[0]!.amountUsd,
    ).toBe(0);
  });
});
