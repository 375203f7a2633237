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

/** How long (wall clock) the agent holds back the second half of its answer to "stall". */
export const STALL_MS = 500;

/**
 * A scripted agent for caller tests, on the application side of a Media Streams socket: it greets,
 * echoes what it hears (answering "stall" with a long answer whose second half comes late), answers DTMF, clears its audio when the caller talks over it, and hangs up
 * after saying goodbye.
 */
export function runEchoAgent(ws: WebSocket): { heard: string[] } {
  const decoder = new SpeechDecoder(SANDBOX_SAMPLE_RATE);
  const heard: string[] = [];
  const pendingMarks = new Set<string>();
  let streamSid = '';
  let markCount = 0;
  let hangUpAfter: string | undefined;

  const sendAudio = (mulaw: Buffer) =>
    ws.send(JSON.stringify({ event: 'media', streamSid, media: { payload: mulaw.toString('base64') } }));
  const say = (text: string, stallMs = 0): string => {
    const mulaw = mulawEncode(synthesizeSpeech(text, SANDBOX_SAMPLE_RATE));
    const name = `utt-${++markCount}`;
    pendingMarks.add(name);
    const finish = (rest: Buffer) => {
      sendAudio(rest);
      ws.send(JSON.stringify({ event: 'mark', streamSid, mark: { name } }));
    };
    if (stallMs > 0) {
      // The second half is sent late, as by a server that stalled mid-answer: the line runs dry.
      const half = Math.floor(mulaw.length / 2);
      sendAudio(mulaw.subarray(0, half));
      setTimeout(() => finish(mulaw.subarray(half)), stallMs);
    } else finish(mulaw);
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
          else if (event.text === 'stall') say(LONG_ANSWER, STALL_MS);
          else say(`you said ${event.text}`);
        }
        break;
    }
  });
  return { heard };
}
