import type { WebSocket } from 'ws';
import {
  mulawDecode,
  mulawEncode,
  SANDBOX_SAMPLE_RATE,
  SpeechDecoder,
  synthesizeSpeech,
} from '../audio/index.js';

export const LONG_ANSWER =
  'this is a very long answer that keeps going for a few seconds so that you have time to interrupt it';

/**
 * A scripted agent for caller tests, on the application side of a Media Streams socket: it greets,
 * echoes what it hears, answers DTMF, clears its audio when the caller talks over it, and hangs up
 * after saying goodbye.
 */
export function runEchoAgent(ws: WebSocket): { heard: string[] } {
  const decoder = new SpeechDecoder(SANDBOX_SAMPLE_RATE);
  const heard: string[] = [];
  const pendingMarks = new Set<string>();
  let streamSid = '';
  let markCount = 0;
  let hangUpAfter: string | undefined;

  const say = (text: string): string => {
    const payload = mulawEncode(synthesizeSpeech(text, SANDBOX_SAMPLE_RATE)).toString('base64');
    ws.send(JSON.stringify({ event: 'media', streamSid, media: { payload } }));
    const name = `utt-${++markCount}`;
    pendingMarks.add(name);
    ws.send(JSON.stringify({ event: 'mark', streamSid, mark: { name } }));
    return name;
  };

  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as {
      event: string;
      start?: { streamSid: string };
      media?: { payload: string };
      mark?: { name: string };
      dtmf?: { digit: string };
    };
    switch (message.event) {
      case 'start':
        streamSid = message.start?.streamSid ?? '';
        say('Hello, how can I help?');
        break;
      case 'mark':
        pendingMarks.delete(message.mark?.name ?? '');
        if (hangUpAfter === message.mark?.name) ws.close(1000, 'agent hung up');
        break;
      case 'dtmf':
        say(`you pressed ${message.dtmf?.digit}`);
        break;
      case 'media':
        for (const event of decoder.push(mulawDecode(Buffer.from(message.media?.payload ?? '', 'base64')))) {
          if (event.type === 'speech_start' && pendingMarks.size > 0) {
            ws.send(JSON.stringify({ event: 'clear', streamSid }));
          }
          if (event.type !== 'utterance') continue;
          heard.push(event.text);
          if (event.text === 'bye') hangUpAfter = say('goodbye');
          else if (event.text === 'long') say(LONG_ANSWER);
          else say(`you said ${event.text}`);
        }
        break;
    }
  });
  return { heard };
}
