import OpenAI, { APIError, AuthenticationError, BadRequestError, InternalServerError } from 'openai';
import type { ChatCompletionChunk, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OpenAIEmulator, startOpenAIEmulator } from './emulator.js';
import type { LlmScriptInput } from './script.js';

const KEY = 'sk-sandbox-test-key-0001';
const MODEL = 'gpt-4.1-mini';

const bookingParameters = {
  type: 'object',
  properties: { party_size: { type: 'integer' }, time: { type: 'string' } },
  required: ['party_size', 'time'],
  additionalProperties: false,
};

const bookingTool: ChatCompletionTool = {
  type: 'function',
  function: { name: 'book_table', description: 'Book a table', parameters: bookingParameters, strict: true },
};

const receptionist: LlmScriptInput = {
  rules: [
    {
      when: { firstTurn: true },
      respond: { reply: 'Hello, thanks for calling the Blue Door. How can I help?' },
    },
    {
      when: { userSays: ['book', 'reserve'] },
      respond: {
        toolCall: { name: 'book_table', arguments: { party_size: 4, time: '19:00', note: '{{$user}}' } },
      },
    },
    {
      when: { toolResult: { name: 'book_table', contains: '"ok":true' } },
      respond: { replyFromTool: "You're booked for {{time}}, a table for {{party_size}}." },
    },
    { when: { toolResult: { name: 'book_table' } }, respond: { reply: 'Sorry, that time is taken.' } },
    { when: { userMatches: '^bye\\b' }, respond: { reply: 'Goodbye!' }, times: 1 },
  ],
  defaultReply: 'Could you say that again?',
};

let emulator: OpenAIEmulator;
let url: string;

function client(apiKey = KEY, maxRetries = 0): OpenAI {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries, timeout: 10_000 });
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

beforeAll(async () => {
  emulator = await startOpenAIEmulator({ scripts: { [KEY]: receptionist } });
  url = emulator.url;
});
afterAll(() => emulator.close());
beforeEach(() => emulator.setScript(KEY, receptionist));

describe('OpenAI emulator: streaming', () => {
  it('streams a text answer as the real API does: role delta, word deltas, stop, usage, [DONE]', async () => {
    const stream = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'system', content: 'You are a receptionist.' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);
    const [first] = chunks;
    expect(first?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(new Set(chunks.map((chunk) => chunk.created)).size).toBe(1);
    const contentChunks = chunks.filter((chunk) => chunk.choices[0]?.delta.content);
    expect(contentChunks.length).toBeGreaterThan(3);
    expect(contentChunks.map((chunk) => chunk.choices[0]?.delta.content).join('')).toBe(
      'Hello, thanks for calling the Blue Door. How can I help?',
    );
    const finish = chunks.at(-2);
    expect(finish?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(finish?.usage).toBeNull();
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usageChunk?.usage?.completion_tokens).toBeGreaterThan(0);
    expect(usageChunk?.usage?.total_tokens).toBe(
      (usageChunk?.usage?.prompt_tokens ?? 0) + (usageChunk?.usage?.completion_tokens ?? 0),
    );
    expect(emulator.usage(KEY).total_tokens).toBe(usageChunk?.usage?.total_tokens);
  });

  it('sends no usage field and no usage chunk unless include_usage is set', async () => {
    const stream = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'hmm' }],
      stream: true,
    });
    const chunks = await collect(stream);
    expect(chunks.every((chunk) => chunk.choices.length === 1 && !('usage' in chunk))).toBe(true);
  });

  it('ends the raw SSE body with data: [DONE]', async () => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const text = await response.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.every((event) => event.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
  });

  it('streams a tool call whose arguments arrive in pieces, reassembled by the SDK stream helper', async () => {
    const runner = client().chat.completions.stream({
      model: MODEL,
      messages: [{ role: 'user', content: 'Can I book a table for 4 at 7pm?' }],
      tools: [bookingTool],
      stream_options: { include_usage: true },
    });
    const fragments: string[] = [];
    runner.on('tool_calls.function.arguments.delta', (event) => fragments.push(event.arguments_delta));
    const raw: ChatCompletionChunk[] = [];
    runner.on('chunk', (chunk) => raw.push(chunk));
    const completion = await runner.finalChatCompletion();
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe('book_table');
    expect(JSON.parse(call.function.arguments)).toEqual({
      party_size: 4,
      time: '19:00',
      note: 'Can I book a table for 4 at 7pm?',
    });
    expect(fragments.length).toBeGreaterThan(2);
    const header = raw[0]?.choices[0]?.delta.tool_calls?.[0];
    expect(header).toMatchObject({ index: 0, id: call.id, type: 'function', function: { arguments: '' } });
    expect(raw[0]?.choices[0]?.delta.content).toBeNull();
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streams parallel tool calls under indexes 0 and 1', async () => {
    emulator.setScript(KEY, {
      rules: [
        {
          when: { always: true },
          respond: {
            toolCalls: [
              { name: 'book_table', arguments: { party_size: 2, time: '18:00' } },
              { name: 'book_table', arguments: { party_size: 3, time: '20:00' } },
            ],
          },
        },
      ],
    });
    const completion = await client()
      .chat.completions.stream({
        model: MODEL,
        messages: [{ role: 'user', content: 'two tables' }],
        tools: [bookingTool],
      })
      .finalChatCompletion();
    const calls = completion.choices[0]?.message.tool_calls ?? [];
    expect(calls).toHaveLength(2);
    expect(
      calls.map((call) => (call.type === 'function' ? JSON.parse(call.function.arguments) : null)),
    ).toEqual([
      { party_size: 2, time: '18:00' },
      { party_size: 3, time: '20:00' },
    ]);
  });

  it('completes the tool round trip with the SDK runner: tool result → templated reply', async () => {
    const runner = client().chat.completions.runTools({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: 'I want to reserve for four at seven' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'book_table',
            description: 'Book a table',
            parameters: bookingParameters,
            parse: (input: string) => JSON.parse(input) as { party_size: number; time: string },
            function: (args: { party_size: number; time: string }) => ({ ok: true, ...args }),
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe("You're booked for 19:00, a table for 4.");
    const records = emulator.requests(KEY).slice(-2);
    expect(records.map((record) => record.ruleIndex)).toEqual([1, 2]);
    const toolMessage = records[1]?.messages.at(-1);
    expect(toolMessage?.role).toBe('tool');
    expect(records[1]?.tools.map((tool) => tool.function.name)).toEqual(['book_table']);
  });

  it('matches a tool result by content and honours rule `times`', async () => {
    const base = [
      { role: 'user' as const, content: 'book please' },
      {
        role: 'assistant' as const,
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function' as const, function: { name: 'book_table', arguments: '{}' } },
        ],
      },
    ];
    const openai = client();
    const taken = await openai.chat.completions.create({
      model: MODEL,
      tools: [bookingTool],
      messages: [...base, { role: 'tool', tool_call_id: 'call_1', content: '{"ok":false}' }],
    });
    expect(taken.choices[0]?.message.content).toBe('Sorry, that time is taken.');
    const bye = { model: MODEL, messages: [{ role: 'user' as const, content: 'bye now' }] };
    expect((await openai.chat.completions.create(bye)).choices[0]?.message.content).toBe('Goodbye!');
    expect((await openai.chat.completions.create(bye)).choices[0]?.message.content).toBe(
      'Could you say that again?',
    );
  });

  it('reads any tool result generically: {{$fields}}, outcome ok/error, and unexpected results', async () => {
    const afterTool = (content: string) => [
      { role: 'user' as const, content: 'book please' },
      {
        role: 'assistant' as const,
        content: null,
        tool_calls: [
          { id: 'call_9', type: 'function' as const, function: { name: 'book_table', arguments: '{}' } },
        ],
      },
      { role: 'tool' as const, tool_call_id: 'call_9', content },
    ];
    const say = async (content: string) =>
      (
        await client().chat.completions.create({
          model: MODEL,
          tools: [bookingTool],
          messages: afterTool(content),
        })
      ).choices[0]?.message.content;
    emulator.setScript(KEY, {
      rules: [
        {
          when: { toolResult: { name: 'book_table', outcome: 'ok' } },
          respond: { replyFromTool: "You're booked. {{$fields}}." },
        },
        {
          when: { toolResult: { name: 'book_table', outcome: 'error' } },
          respond: { replyFromTool: 'Sorry: {{error.message}}' },
        },
      ],
    });
    // A real workflow's own field names, which no scenario could have guessed.
    expect(await say('{"slot":"10:00","confirmation":"ABC","booking_ref":{"id":7}}')).toBe(
      "You're booked. slot: 10:00, confirmation: ABC, booking ref: (id: 7).",
    );
    expect(await say('{"error":{"code":"timed_out","message":"no answer within 3 s"}}')).toBe(
      'Sorry: no answer within 3 s',
    );
    // No rule for the result at all: the model still reads it out instead of "didn't catch that".
    emulator.setScript(KEY, { rules: [] });
    expect(await say('{"slot":"10:00","confirmation":"ABC"}')).toBe('slot: 10:00, confirmation: ABC');
    expect(await say('{"error":{"code":"upstream","message":"calendar down"}}')).toBe(
      'Sorry, that did not work: calendar down',
    );
    expect(await say('plain text answer')).toBe('plain text answer');
  });

  it('skips a tool rule when the request does not declare that tool', async () => {
    const completion = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'book a table' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Could you say that again?');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
  });
});

describe('OpenAI emulator: non-streaming', () => {
  it('answers chat.completion with message, finish_reason and usage, deterministically', async () => {
    const body = {
      model: MODEL,
      messages: [{ role: 'user' as const, content: 'Hello there, is anyone in?' }],
    };
    const first = await client().chat.completions.create(body);
    const second = await client().chat.completions.create(body);
    expect(first.object).toBe('chat.completion');
    expect(first.choices[0]?.message).toMatchObject({
      role: 'assistant',
      content: 'Could you say that again?',
    });
    expect(first.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(first.usage?.completion_tokens).toBeGreaterThan(0);
    expect(second.usage).toEqual(first.usage);
  });

  it('returns tool_calls with finish_reason tool_calls', async () => {
    const completion = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'reserve a table' }],
      tools: [bookingTool],
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.content).toBeNull();
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: 'book_table' },
    });
  });
});

describe('OpenAI emulator: faults and errors', () => {
  it('answers 429 with retry headers; the SDK retries by itself and succeeds', async () => {
    emulator.setScript(KEY, {
      ...receptionist,
      faults: { rateLimit: { firstRequests: 2, retryAfterSeconds: 0, retryAfterMs: 10 } },
    });
    emulator.reset(KEY);
    const completion = await client(KEY, 2).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Could you say that again?');
    expect(emulator.requests(KEY).map((record) => record.status)).toEqual([429, 429, 200]);

    const raw = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(raw.status).toBe(400);
    emulator.setScript(KEY, { faults: { rateLimit: { firstRequests: 1, retryAfterSeconds: 2 } } });
    const limited = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(await limited.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
  });

  it('surfaces exhausted 5xx retries as the SDK InternalServerError with the status', async () => {
    emulator.setScript(KEY, { faults: { serverError: { status: 503 } } });
    emulator.reset(KEY);
    const error = await client(KEY, 1)
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).status).toBe(503);
    expect((error as APIError).error).toMatchObject({ type: 'server_error' });
    expect((error as APIError).requestID).toMatch(/^req_/);
    expect(emulator.requests(KEY)).toHaveLength(2);
  });

  it('recovers after the first N 5xx', async () => {
    emulator.setScript(KEY, { faults: { serverError: { status: 500, firstRequests: 1 } } });
    emulator.reset(KEY);
    const completion = await client(KEY, 1).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    expect(emulator.requests(KEY).map((record) => record.outcome)).toEqual(['server_error', 'completed']);
  });

  it('rejects a bad key with AuthenticationError, and a missing key with 401', async () => {
    const error = await client('sk-wrong-key-1234567890')
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as APIError).code).toBe('invalid_api_key');
    const missing = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { type: 'invalid_request_error', code: null } });
  });

  it('serves unknown keys the default script when acceptAnyKey is set', async () => {
    const open = await startOpenAIEmulator({
      acceptAnyKey: true,
      defaultScript: { defaultReply: 'Sandbox here.' },
    });
    try {
      const openai = new OpenAI({ baseURL: `${open.url}/v1`, apiKey: 'anything', maxRetries: 0 });
      const completion = await openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(completion.choices[0]?.message.content).toBe('Sandbox here.');
      expect(open.requests('anything')).toHaveLength(1);
    } finally {
      await open.close();
    }
  });

  it('delays the first token by firstTokenDelayMs and spaces chunks by chunkDelayMs (recorded, not slept)', async () => {
    const waits: number[] = [];
    const timed = await startOpenAIEmulator({
      acceptAnyKey: true,
      delay: async (ms) => {
        waits.push(ms);
      },
      defaultScript: { defaultReply: 'one two three', faults: { firstTokenDelayMs: 250, chunkDelayMs: 40 } },
    });
    try {
      const stream = await new OpenAI({
        baseURL: `${timed.url}/v1`,
        apiKey: 'k',
        maxRetries: 0,
      }).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true });
      await collect(stream);
      // role + 3 words + finish = 5 chunks: the first token waits 250 ms, then 4 gaps of 40 ms.
      expect(waits).toEqual([250, 40, 40, 40, 40]);
    } finally {
      await timed.close();
    }
  });

  it('applies typical latency to keys without their own: first token, then tokens at tokensPerSecond', async () => {
    const waits: number[] = [];
    const timed = await startOpenAIEmulator({
      acceptAnyKey: true,
      latency: { firstTokenMs: 500, tokensPerSecond: 100 },
      delay: async (ms) => {
        waits.push(ms);
      },
      defaultScript: { defaultReply: 'one two three' },
    });
    try {
      const openai = new OpenAI({ baseURL: `${timed.url}/v1`, apiKey: 'k', maxRetries: 0 });
      await collect(
        await openai.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'hi' }],
          stream: true,
        }),
      );
      // 500 ms to the first token, then 10 ms per token: "one " and "two " are two tokens each,
      // "three" one, the finish chunk counts one.
      expect(waits).toEqual([500, 20, 20, 10, 10]);
      // A scenario's own fault wins over the typical latency.
      timed.setScript('fast', {
        defaultReply: 'one',
        faults: { firstTokenDelayMs: 0, tokensPerSecond: 1000 },
      });
      waits.length = 0;
      await collect(
        await new OpenAI({
          baseURL: `${timed.url}/v1`,
          apiKey: 'fast',
          maxRetries: 0,
        }).chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'hi' }],
          stream: true,
        }),
      );
      expect(waits).toEqual([1, 1]);
    } finally {
      await timed.close();
    }
  });

  it('drops the connection mid-stream: the SDK iteration fails and the record says dropped', async () => {
    emulator.setScript(KEY, {
      defaultReply: 'this answer will never finish',
      faults: { dropMidStream: { afterChunks: 2 } },
    });
    emulator.reset(KEY);
    const stream = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const received: ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(received.length).toBeLessThanOrEqual(2);
    expect(emulator.requests(KEY)[0]?.outcome).toBe('dropped');
  });

  it('sends a mid-stream error event that the SDK throws as APIError', async () => {
    emulator.setScript(KEY, {
      defaultReply: 'partial answer here',
      faults: { midStreamError: { afterChunks: 1 } },
    });
    const stream = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const error = await (async () => {
      for await (const _chunk of stream) {
        // drain
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toMatch(/server had an error/);
  });
});

describe('OpenAI emulator: model capabilities and usage', () => {
  it('refuses a temperature other than 1 for gpt-5 models with the real 400 body', async () => {
    const error = await client()
      .chat.completions.create({
        model: 'gpt-5-mini',
        temperature: 0.4,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).error).toEqual({
      message:
        "Unsupported value: 'temperature' does not support 0.4 with this model. Only the default (1) value is supported.",
      type: 'invalid_request_error',
      param: 'temperature',
      code: 'unsupported_value',
    });
    const ok = await client().chat.completions.create({
      model: 'gpt-5-mini',
      temperature: 1,
      max_completion_tokens: 200,
      reasoning_effort: 'minimal',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(ok.choices[0]?.message.content).toBe('Could you say that again?');
    expect(emulator.requests(KEY).at(-1)?.params).toEqual({
      temperature: 1,
      max_completion_tokens: 200,
      reasoning_effort: 'minimal',
    });
  });

  it('refuses max_tokens on reasoning models and reasoning_effort on GPT-4 models', async () => {
    const refused = async (body: Parameters<OpenAI['chat']['completions']['create']>[0]) =>
      (
        (await client()
          .chat.completions.create(body)
          .catch((caught: unknown) => caught)) as BadRequestError
      ).error;
    const messages = [{ role: 'user' as const, content: 'hi' }];
    expect(await refused({ model: 'gpt-5', max_tokens: 100, messages })).toMatchObject({
      param: 'max_tokens',
      code: 'unsupported_parameter',
    });
    expect(await refused({ model: 'gpt-4.1-mini', reasoning_effort: 'low', messages })).toMatchObject({
      param: 'reasoning_effort',
      code: 'unsupported_parameter',
    });
    expect(await refused({ model: 'gpt-5-nano', reasoning_effort: 'none', messages })).toMatchObject({
      message:
        "Unsupported value: 'reasoning_effort' does not support 'none' with this model. Supported values are: 'minimal', 'low', 'medium', and 'high'.",
      code: 'unsupported_value',
    });
    const chat = await client().chat.completions.create({
      model: 'gpt-4.1-mini',
      temperature: 0.4,
      max_tokens: 50,
      messages,
    });
    expect(chat.choices[0]?.finish_reason).toBe('stop');
  });

  it('counts usage with the o200k tokenizer, not characters ÷ 4', async () => {
    emulator.setScript(KEY, { defaultReply: 'a b c d e f g h' });
    const completion = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'x y z w' }],
    });
    // "a b c d e f g h" is 8 tokens (15 characters); the prompt is 3 + (3 + 4) = 10.
    expect(completion.usage?.completion_tokens).toBe(8);
    expect(completion.usage?.prompt_tokens).toBe(10);
  });
});

describe('OpenAI emulator: request validation', () => {
  async function post(body: string): Promise<{ status: number; json: { error: Record<string, unknown> } }> {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, json: (await response.json()) as { error: Record<string, unknown> } };
  }

  it('answers 400 for a body that is not JSON', async () => {
    const { status, json } = await post('{"model":');
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', param: null });
    expect(String(json.error.message)).toMatch(/could not parse the JSON body/);
  });

  it.each([
    [{ messages: [{ role: 'user', content: 'x' }] }, 'model', 'missing_required_parameter'],
    [{ model: MODEL, messages: [] }, 'messages', 'empty_array'],
    [{ model: MODEL, messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', 'invalid_value'],
    [{ model: MODEL, messages: [{ role: 'user', content: 5 }] }, 'messages[0].content', 'invalid_type'],
    [{ model: MODEL, messages: [{ role: 'user', content: 'x' }], tempo: 1 }, null, null],
    [
      {
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: 'bad name' } }],
      },
      'tools[0].function.name',
      'invalid_value',
    ],
  ])('answers 400 for %j', async (body, param, code) => {
    const { status, json } = await post(JSON.stringify(body));
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', param, code });
  });

  it('answers 400 through the SDK as BadRequestError', async () => {
    const error = await client()
      .chat.completions.create({ model: MODEL, messages: [] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
  });

  it('requires a tool message for every assistant tool call, and a tool call for every tool message', async () => {
    const unanswered = await post(
      JSON.stringify({
        model: MODEL,
        messages: [
          { role: 'user', content: 'x' },
          {
            role: 'assistant',
            tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'user', content: 'y' },
        ],
      }),
    );
    expect(unanswered.status).toBe(400);
    expect(String(unanswered.json.error.message)).toMatch(/did not have response messages: call_9/);
    const orphan = await post(
      JSON.stringify({ model: MODEL, messages: [{ role: 'tool', tool_call_id: 'call_1', content: '{}' }] }),
    );
    expect(orphan.status).toBe(400);
    expect(String(orphan.json.error.message)).toMatch(/must be a response to a preceeding message/);
  });

  it('checks tool parameter schemas, and strict mode rules', async () => {
    const notObject = await post(
      JSON.stringify({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }],
      }),
    );
    expect(notObject.json.error).toMatchObject({
      code: 'invalid_function_parameters',
      param: 'tools[0].function.parameters',
    });
    const loose = await post(
      JSON.stringify({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        tools: [
          {
            type: 'function',
            function: {
              name: 'f',
              strict: true,
              parameters: { type: 'object', properties: { a: { type: 'string' } } },
            },
          },
        ],
      }),
    );
    expect(String(loose.json.error.message)).toMatch(
      /'additionalProperties' is required to be supplied and to be false/,
    );
  });

  it('answers 404 for an unknown model when a model list is configured, and for unknown URLs', async () => {
    const strict = await startOpenAIEmulator({ scripts: { [KEY]: {} }, models: [MODEL] });
    try {
      const response = await fetch(`${strict.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ model: 'gpt-nope', messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'model_not_found' } });
      const unknown = await fetch(`${strict.url}/v1/embeddings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}` },
      });
      expect(unknown.status).toBe(404);
    } finally {
      await strict.close();
    }
  });
});
