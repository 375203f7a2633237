import { Ajv } from 'ajv';
import OpenAI, { BadRequestError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAIEmulator, startOpenAIEmulator } from './emulator.js';

const KEY = 'sk-sandbox-structured-0001';
const SCHEMA = {
  type: 'object',
  properties: {
    patient_name: { type: ['string', 'null'] },
    requested_date: { type: ['string', 'null'], format: 'date' },
    reason: { type: 'string', enum: ['cleaning', 'filling', 'emergency', 'other'] },
    party_size: { type: 'integer', minimum: 1 },
    summary: { type: 'string' },
    successful: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['patient_name', 'requested_date', 'reason', 'party_size', 'summary', 'successful', 'tags'],
  additionalProperties: false,
};

let emulator: OpenAIEmulator;
let openai: OpenAI;

beforeAll(async () => {
  emulator = await startOpenAIEmulator({ host: '127.0.0.1', port: 0 });
  emulator.setScript(KEY, {});
  openai = new OpenAI({ baseURL: `${emulator.url}/v1`, apiKey: KEY, maxRetries: 0 });
});
afterAll(() => emulator?.close());

const ask = (response_format: unknown, stream = false) =>
  openai.chat.completions.create({
    model: 'gpt-4.1-mini',
    stream: stream as false,
    messages: [
      { role: 'system', content: 'Extract the call data.' },
      {
        role: 'user',
        content:
          "agent: Hi, how can I help?\ncaller: Hi, my name is Maria Lopez, I'd like a cleaning on 2030-05-14 for 2 people.",
      },
    ],
    response_format: response_format as never,
  });

describe('structured outputs (response_format json_schema)', () => {
  it('answers JSON that validates against the schema, filled from the conversation', async () => {
    const res = await ask({
      type: 'json_schema',
      json_schema: { name: 'call_data', schema: SCHEMA, strict: true },
    });
    const data = JSON.parse(res.choices[0]!.message.content!);
    expect(new Ajv({ strict: false }).validate(SCHEMA, data)).toBe(true);
    expect(data).toMatchObject({
      patient_name: 'Maria Lopez',
      requested_date: '2030-05-14',
      reason: 'cleaning',
      party_size: 2,
      successful: true,
      tags: [],
    });
    expect(data.summary).toContain('Maria Lopez');
    expect(res.usage?.total_tokens).toBeGreaterThan(0);
    // Deterministic: the same conversation gives the same answer.
    const again = await ask({
      type: 'json_schema',
      json_schema: { name: 'call_data', schema: SCHEMA, strict: true },
    });
    expect(again.choices[0]!.message.content).toBe(res.choices[0]!.message.content);
  });

  it('json_object answers an object; a json_schema without its schema spec is a 400', async () => {
    expect(JSON.parse((await ask({ type: 'json_object' })).choices[0]!.message.content!)).toEqual({});
    const err = await ask({ type: 'json_schema' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).param).toBe('response_format.json_schema');
  });
});
