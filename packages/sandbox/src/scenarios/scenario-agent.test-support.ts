import OpenAI from 'openai';
import WebSocket from 'ws';
import type { Sandbox } from '../sandbox.js';

export interface ScenarioAgentPolicy {
  /** Media ms of silence (nobody speaking) before the agent prompts again; twice ends the call. */
  silenceMs: number;
  /** Wall-clock ms a tool's webhook gets before the agent gives up on it. */
  toolTimeoutMs: number;
}

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

const SET_OUTCOME = 'set_outcome';

/**
 * A small voice agent for scenario tests, standing in for the real runtime on the application side
 * of a Media Streams socket: Deepgram emulator for STT, OpenAI emulator for turns and tool calls,
 * n8n webhooks for tools, Rime emulator for speech. Every provider call uses the key
 * `test-<CallSid>`, the sandbox's routing convention. It clears its audio when the caller talks
 * over it, prompts after silence and hangs up through the Twilio REST API after a second silence.
 */
export function runScenarioAgent(ws: WebSocket, sandbox: Sandbox, policy: ScenarioAgentPolicy): void {
  let streamSid = '';
  let callSid = '';
  let key = '';
  let llm: OpenAI | undefined;
  let dg: WebSocket | undefined;
  const early: Buffer[] = [];
  const messages: Message[] = [{ role: 'system', content: 'You are a receptionist.' }];
  const pendingMarks = new Set<string>();
  let marks = 0;
  let segments: string[] = [];
  let turns = Promise.resolve();
  let silentMs = 0;
  let prompts = 0;
  let userSpeaking = false;
  let closed = false;

  const webhooks = () => sandbox.appliedScenario(key)?.webhooks ?? [];
  const send = (message: object) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };

  const speak = async (text: string): Promise<void> => {
    const res = await fetch(`${sandbox.rime.url}/v1/rime-tts`, {
      method: 'POST',
      headers: {
        accept: 'audio/x-mulaw',
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ speaker: 'cove', text, modelId: 'mistv2', samplingRate: 8000 }),
    });
    if (!res.ok || !res.body) throw new Error(`rime answered ${res.status}`);
    const name = `m${++marks}`;
    pendingMarks.add(name);
    for await (const chunk of res.body)
      send({ event: 'media', streamSid, media: { payload: Buffer.from(chunk).toString('base64') } });
    send({ event: 'mark', streamSid, mark: { name } });
  };

  const callTool = async (name: string, args: string): Promise<string> => {
    if (name === SET_OUTCOME) return JSON.stringify({ recorded: true });
    const webhook = webhooks().find((w) => w.tool === name);
    if (!webhook) return JSON.stringify({ error: `no such tool ${name}` });
    try {
      const res = await fetch(webhook.url, {
        method: webhook.method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ callSid, arguments: JSON.parse(args) as unknown }),
        signal: AbortSignal.timeout(policy.toolTimeoutMs),
      });
      return await res.text();
    } catch (err) {
      return JSON.stringify({ error: err instanceof Error ? err.name : 'failed' });
    }
  };

  const turn = async (): Promise<void> => {
    for (let round = 0; round < 3 && !closed; round++) {
      // Like the runtime: the workflows' tools plus the built-in set_outcome.
      const tools = [...webhooks().flatMap((w) => (w.tool ? [w.tool] : [])), SET_OUTCOME].map((name) => ({
        type: 'function' as const,
        function: { name, parameters: { type: 'object' } },
      }));
      const completion = await llm!.chat.completions.create({
        model: 'gpt-4.1-mini',
        messages,
        ...(tools.length > 0 ? { tools } : {}),
      });
      const message = completion.choices[0]!.message;
      messages.push({ role: 'assistant', content: message.content, tool_calls: message.tool_calls });
      if (message.content) await speak(message.content);
      const calls = (message.tool_calls ?? []).filter((c) => c.type === 'function');
      if (calls.length === 0) return;
      for (const call of calls) {
        const content = await callTool(call.function.name, call.function.arguments);
        messages.push({ role: 'tool', tool_call_id: call.id, content });
      }
    }
  };
  let turnsInFlight = 0;
  const queueTurn = () => {
    turnsInFlight++;
    turns = turns
      .then(turn)
      .catch(() => undefined)
      .finally(() => {
        turnsInFlight--;
        silentMs = 0;
      });
  };

  const hangUp = () => {
    closed = true;
    void sandbox.twilio.restClient().calls(callSid).update({ status: 'completed' });
  };

  const onTranscript = (raw: WebSocket.RawData) => {
    const result = JSON.parse(raw.toString()) as {
      type: string;
      is_final?: boolean;
      speech_final?: boolean;
      channel?: { alternatives: { transcript: string }[] };
    };
    if (result.type === 'SpeechStarted') {
      userSpeaking = true;
      silentMs = 0;
      if (pendingMarks.size > 0) send({ event: 'clear', streamSid });
      return;
    }
    if (result.type !== 'Results' || !result.is_final) return;
    const text = result.channel?.alternatives[0]?.transcript ?? '';
    if (text) segments.push(text);
    if (!result.speech_final || segments.length === 0) return;
    userSpeaking = false;
    messages.push({ role: 'user', content: segments.join(' ') });
    segments = [];
    queueTurn();
  };

  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as {
      event: string;
      start?: { streamSid: string; callSid: string };
      media?: { payload: string };
      mark?: { name: string };
    };
    switch (message.event) {
      case 'start': {
        streamSid = message.start!.streamSid;
        callSid = message.start!.callSid;
        key = `test-${callSid}`;
        llm = new OpenAI({ apiKey: key, baseURL: `${sandbox.openai.url}/v1`, maxRetries: 0 });
        const query =
          'model=nova-3&encoding=mulaw&sample_rate=8000&punctuate=true&endpointing=200&vad_events=true';
        dg = new WebSocket(`${sandbox.deepgram.wsUrl}/v1/listen?${query}`, {
          headers: { authorization: `Token ${key}` },
        });
        dg.on('open', () => {
          for (const bytes of early.splice(0)) dg?.send(bytes);
        });
        dg.on('message', onTranscript);
        queueTurn();
        break;
      }
      case 'media': {
        const bytes = Buffer.from(message.media!.payload, 'base64');
        if (dg?.readyState === WebSocket.OPEN) dg.send(bytes);
        else early.push(bytes);
        if (pendingMarks.size > 0 || turnsInFlight > 0 || userSpeaking || closed) break;
        silentMs += 20;
        if (silentMs < policy.silenceMs) break;
        silentMs = 0;
        if (++prompts > 1) {
          hangUp();
          break;
        }
        messages.push({ role: 'user', content: '(silence)' });
        queueTurn();
        break;
      }
      case 'mark':
        pendingMarks.delete(message.mark!.name);
        break;
    }
  });
  ws.on('close', () => {
    closed = true;
    dg?.close();
  });
}
