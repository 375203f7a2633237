import { checkVoice, isKnownModel, servesLanguage } from '@switchboard/sandbox';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DRAFT } from './agent-config.js';
import { DEEPGRAM_MODELS, deepgramServesLanguage, LANGUAGES, RIME_SPEAKERS } from './catalog.js';
import { validateDraft } from './validate-draft.js';

describe('agent catalog and the providers (as the emulators play them)', () => {
  it('accepts exactly the Deepgram model/language pairs Deepgram serves', () => {
    for (const model of DEEPGRAM_MODELS) {
      for (const language of LANGUAGES) {
        expect(deepgramServesLanguage(model, language), `${model} ${language}`).toBe(
          servesLanguage(model, language),
        );
      }
    }
  });

  it('offers only Rime speakers the model has', () => {
    for (const [model, speakers] of Object.entries(RIME_SPEAKERS)) {
      expect(isKnownModel(model)).toBe(true);
      for (const speaker of speakers)
        expect(checkVoice(model, speaker, undefined), `${model} ${speaker}`).toBeUndefined();
    }
  });

  it('refuses to publish nova-3-medical for a Spanish agent', () => {
    const draft = {
      ...DEFAULT_DRAFT,
      systemPrompt: 'x',
      language: 'es',
      stt: { model: 'nova-3-medical', endpointingMs: 300 },
    };
    expect(validateDraft(draft, new Map())).toEqual([
      { field: 'stt.model', message: 'Deepgram nova-3-medical transcribes English only, not es' },
    ]);
    expect(validateDraft({ ...draft, language: 'en-US' }, new Map())).toEqual([]);
  });
});
