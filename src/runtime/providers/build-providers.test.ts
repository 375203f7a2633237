import { llm } from '@livekit/agents';
import { emulatedModelRules, type OpenAIEmulator, startOpenAIEmulator } from '@switchboard/sandbox';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callConfigFromDraft } from '../../../test/support/call-config.js';
import { OPENAI_MODEL_CAPABILITIES, OPENAI_MODELS } from '../../control/agents/catalog.js';
import { installAgentsLogger } from './agents-logger.js';
import { buildProviders } from './build-providers.js';

let openai: OpenAIEmulator;
beforeAll(async () => {
  installAgentsLogger(pino({ level: 'silent' }));
  openai = await startOpenAIEmulator({ acceptAnyKey: true, defaultScript: { defaultReply: 'Hello there.' } });
});
afterAll(() => openai.close());

async function reply(model: string, key: string): Promise<string> {
  const settings = {
    deepgram: { apiKey: undefined, url: 'ws://127.0.0.1:1' },
    openai: { apiKey: undefined, baseUrl: `${openai.url}/v1` },
    rime: {
      apiKey: undefined,
      url: 'http://127.0.0.1:1',
      wsUrl: 'ws://127.0.0.1:1',
      transport: 'http' as const,
    },
    sandboxKeys: true,
  };
  const providers = buildProviders(
    settings,
    { deepgram: key, openai: key, rime: key },
    callConfigFromDraft({ llm: { model } }),
    8000,
  );
  const chatCtx = llm.ChatContext.empty();
  chatCtx.addMessage({ role: 'user', content: 'hi' });
  let text = '';
  for await (const chunk of providers.llm.chat({ chatCtx })) text += chunk.delta?.content ?? '';
  return text;
}

describe('LLM parameters follow the model capability table', () => {
  it('every catalog model has a row, and the OpenAI emulator applies the same rules', () => {
    for (const model of OPENAI_MODELS) {
      const row = OPENAI_MODEL_CAPABILITIES[model];
      const emulated = emulatedModelRules(model);
      expect(emulated, model).toBeDefined();
      expect(row.sampling, model).toBe(!emulated?.reasoning);
      expect(row.reasoningEfforts, model).toEqual(emulated?.reasoningEfforts);
      expect(row.tokenLimitFields.includes('max_tokens'), model).toBe(!emulated?.reasoning);
    }
  });

  it('sends no temperature to a gpt-5 model (the real API refuses 0.4) and keeps it for gpt-4.1', async () => {
    expect(await reply('gpt-5-mini', 'k-gpt5')).toBe('Hello there.');
    expect(openai.requests('k-gpt5').map((r) => [r.status, r.params])).toEqual([
      [200, { max_completion_tokens: 400, reasoning_effort: 'minimal' }],
    ]);
    expect(await reply('gpt-4.1-mini', 'k-gpt41')).toBe('Hello there.');
    expect(openai.requests('k-gpt41').map((r) => [r.status, r.params])).toEqual([
      [200, { temperature: 0.4, max_completion_tokens: 400 }],
    ]);
  });
});
