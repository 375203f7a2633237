import WebSocket from 'ws';

export interface RelayAgentOptions {
  /** Deepgram emulator base URL (`ws://…`). */
  deepgramWsUrl: string;
  /** Rime emulator base URL (`http://…`). */
  rimeUrl: string;
  /** What the agent answers to a final transcript. */
  reply(transcript: string): string;
  /** Called with `start.customParameters.key`: the API key this call uses on the emulators. */
  onStart?(key: string): void;
}

/**
 * A minimal agent for round-trip tests, on the application side of a Media Streams socket: caller
 * audio goes to the Deepgram emulator as is (under the key the `<Parameter name="key">` names); each final transcript is answered with speech from
 * the Rime emulator (μ-law 8 kHz, streamed as it arrives), followed by a mark.
 */
export function runRelayAgent(
  ws: WebSocket,
  options: RelayAgentOptions,
): { heard: string[]; done: Promise<void> } {
  const heard: string[] = [];
  let streamSid = '';
  let dg: WebSocket | undefined;
  const early: Buffer[] = [];
  let segments: string[] = [];
  let replies = Promise.resolve();
  let marks = 0;
  let apiKey = '';

  const speak = async (text: string): Promise<void> => {
    const res = await fetch(`${options.rimeUrl}/v1/rime-tts`, {
      method: 'POST',
      headers: {
        accept: 'audio/x-mulaw',
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ speaker: 'cove', text, modelId: 'mistv2', samplingRate: 8000 }),
    });
    if (!res.ok || !res.body) throw new Error(`rime answered ${res.status}`);
    for await (const chunk of res.body) {
      if (ws.readyState !== WebSocket.OPEN) return;
      const payload = Buffer.from(chunk).toString('base64');
      ws.send(JSON.stringify({ event: 'media', streamSid, media: { payload } }));
    }
    ws.send(JSON.stringify({ event: 'mark', streamSid, mark: { name: `reply-${++marks}` } }));
  };

  const done = new Promise<void>((resolve) => ws.on('close', () => resolve()));
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as {
      event: string;
      start?: { streamSid: string; customParameters: Record<string, string> };
      media?: { payload: string };
    };
    if (message.event === 'start') {
      streamSid = message.start?.streamSid ?? '';
      apiKey = message.start?.customParameters.key ?? '';
      options.onStart?.(apiKey);
      const query = 'model=nova-3&encoding=mulaw&sample_rate=8000&channels=1&punctuate=true&endpointing=200';
      dg = new WebSocket(`${options.deepgramWsUrl}/v1/listen?${query}`, {
        headers: { authorization: `Token ${apiKey}` },
      });
      dg.on('open', () => {
        for (const bytes of early.splice(0)) dg?.send(bytes);
      });
      dg.on('message', (raw) => {
        const result = JSON.parse(raw.toString()) as {
          type: string;
          is_final?: boolean;
          speech_final?: boolean;
          channel?: { alternatives: { transcript: string }[] };
        };
        if (result.type !== 'Results' || !result.is_final) return;
        const text = result.channel?.alternatives[0]?.transcript ?? '';
        if (text) segments.push(text);
        if (!result.speech_final || segments.length === 0) return;
        const transcript = segments.join(' ');
        segments = [];
        heard.push(transcript);
        replies = replies.then(() => speak(options.reply(transcript)));
      });
    } else if (message.event === 'media') {
      const bytes = Buffer.from(message.media?.payload ?? '', 'base64');
      if (dg?.readyState === WebSocket.OPEN) dg.send(bytes);
      else early.push(bytes);
    } else if (message.event === 'stop') {
      dg?.close();
    }
  });
  ws.on('close', () => dg?.close());
  return { heard, done };
}
