import { createTimedString } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { installAgentsLogger } from '../runtime/providers/agents-logger.js';
import { MediaStreamAudioOutput, type MediaStreamSink } from './media-stream-audio-output.js';

beforeAll(() => installAgentsLogger(pino({ level: 'silent' })));

class RecordingSink implements MediaStreamSink {
  readonly sent: ({ kind: 'media'; bytes: number } | { kind: 'mark'; name: string } | { kind: 'clear' })[] =
    [];
  sendMedia(mulaw: Buffer): void {
    this.sent.push({ kind: 'media', bytes: mulaw.length });
  }
  sendMark(name: string): void {
    this.sent.push({ kind: 'mark', name });
  }
  sendClear(): void {
    this.sent.push({ kind: 'clear' });
  }
  get mediaMs(): number {
    return this.sent.reduce((ms, m) => ms + (m.kind === 'media' ? m.bytes / 8 : 0), 0);
  }
  marks(): string[] {
    return this.sent.flatMap((m) => (m.kind === 'mark' ? [m.name] : []));
  }
}

function frames(ms: number, text?: string): AudioFrame[] {
  const out: AudioFrame[] = [];
  for (let t = 0; t < ms; t += 20) {
    const frame = new AudioFrame(new Int16Array(160).fill(1000), 8000, 1, 160);
    if (t === 0 && text) frame.userdata['lk.timed_transcripts'] = [createTimedString({ text, startTime: 0 })];
    out.push(frame);
  }
  return out;
}

describe('MediaStreamAudioOutput', () => {
  it('keeps at most leadMs unconfirmed and finishes when the final mark is echoed', async () => {
    const sink = new RecordingSink();
    const output = new MediaStreamAudioOutput(sink, { leadMs: 200, markEveryMs: 100, lineClock: () => 0 });
    for (const frame of frames(1000)) await output.captureFrame(frame);
    output.flush();
    expect(sink.mediaMs).toBe(200);
    const playout = output.waitForPlayout();
    // Echo marks as a line would, until the final one.
    for (let i = 0; i < 20 && output.busy; i++) {
      const pending = sink.marks();
      for (const name of pending) output.markPlayed(name);
    }
    const ev = await playout;
    expect(sink.mediaMs).toBe(1000);
    expect(ev).toMatchObject({ interrupted: false, playbackPosition: 1 });
    expect(sink.marks().at(-1)).toBe('1:end');
  });

  it('sends what the line has room for in whole frames, one message per mark interval', async () => {
    const sink = new RecordingSink();
    const output = new MediaStreamAudioOutput(sink, { leadMs: 300, markEveryMs: 100, lineClock: () => 0 });
    for (const frame of frames(1000)) await output.captureFrame(frame);
    expect(sink.mediaMs).toBe(300);
    const before = sink.sent.length;
    output.markPlayed('1:100');
    output.markPlayed('1:200');
    // 200 ms confirmed played: the next 200 ms leave as two messages, each followed by its mark.
    expect(sink.sent.slice(before)).toEqual([
      { kind: 'media', bytes: 800 },
      { kind: 'mark', name: '1:400' },
      { kind: 'media', bytes: 800 },
      { kind: 'mark', name: '1:500' },
    ]);
  });

  it('on clear reports the confirmed position and only the words heard', async () => {
    const sink = new RecordingSink();
    const output = new MediaStreamAudioOutput(sink, { leadMs: 300, markEveryMs: 100, lineClock: () => 0 });
    const text = 'We are open Monday to Friday until six.';
    for (const frame of frames(2000, text)) await output.captureFrame(frame);
    output.flush();
    output.markPlayed('1:100');
    output.markPlayed('1:200');
    output.markPlayed('1:300');
    output.markPlayed('1:400');
    output.markPlayed('1:500');
    const playout = output.waitForPlayout();
    output.clearBuffer();
    const ev = await playout;
    expect(sink.sent.at(-1)).toEqual({ kind: 'clear' });
    expect(ev.interrupted).toBe(true);
    expect(ev.playbackPosition).toBeCloseTo(0.5);
    // 500 of 2000 ms: a quarter of 39 characters (9.75) holds "We are", not "We are open".
    expect(ev.synchronizedTranscript).toBe('We are');
    // Echoes that arrive after the clear (Twilio returns pending marks) change nothing.
    output.markPlayed('1:600');
    expect(output.busy).toBe(false);
  });

  it('finishes what was playing as interrupted when the line goes away', async () => {
    const sink = new RecordingSink();
    const output = new MediaStreamAudioOutput(sink, { lineClock: () => 0 });
    for (const frame of frames(400, 'Hello there.')) await output.captureFrame(frame);
    output.flush();
    const playout = output.waitForPlayout();
    expect(output.lineEnded()).toBe(true);
    expect(await playout).toMatchObject({
      interrupted: true,
      playbackPosition: 0,
      synchronizedTranscript: '',
    });
  });
});
