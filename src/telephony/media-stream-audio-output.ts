import { isTimedString, voice } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { type AudioTap, synchronizedTranscript, type TimedText } from '../runtime/index.js';
import { mulawDecode, mulawEncode } from './mulaw.js';

/** What the output writes to: the Media Streams socket, or a test double of it. */
export interface MediaStreamSink {
  sendMedia(mulaw: Buffer): void;
  sendMark(name: string): void;
  sendClear(): void;
}

export interface MediaStreamOutputOptions {
  /** Most audio sent ahead of what Twilio confirmed played (default DEFAULT_LEAD_MS). */
  leadMs?: number;
  /** A mark after this much audio: the granularity of the measured playout position. */
  markEveryMs?: number;
  /** The line clock (ms), to place agent audio in the recording. */
  lineClock: () => number;
}

const SAMPLE_RATE = 8000;
const FRAME_BYTES = 160;
const FRAME_MS = 20;
const BYTES_PER_MS = SAMPLE_RATE / 1000;
const TIMED_TRANSCRIPTS = 'lk.timed_transcripts';
/**
 * Audio sent ahead of what the line confirmed played: the platform's tolerance to its own stalls
 * (a garbage collection, a burst of work across calls) before the caller hears a hole. A barge-in
 * costs nothing more for it: `clear` drops whatever Twilio holds, and the position heard comes from
 * the marks, not from what was sent.
 */
const DEFAULT_LEAD_MS = 500;

/** One reply segment: audio captured between two flushes. */
class Segment {
  pending: Buffer[] = [];
  pendingBytes = 0;
  pushedMs = 0;
  sentMs = 0;
  /** Position confirmed by the last echoed mark, and the line time it was echoed at. */
  playedMs = 0;
  playedAtLineMs = 0;
  lastMarkMs = 0;
  flushed = false;
  finalMarkSent = false;
  started = false;
  done = false;
  readonly timed: TimedText[] = [];
  constructor(readonly id: number) {}
}

/**
 * Agent audio to a Twilio Media Streams socket. It sends whole 20 ms μ-law frames while less than
 * `leadMs` is unconfirmed, putting a `mark` after every `markEveryMs`; Twilio echoes a mark when
 * the audio before it has played, so playout is measured rather than guessed, and the echoes pace
 * the sending at whatever speed the line plays. `clearBuffer()` (barge-in) sends `clear` and
 * reports the position of the last echoed mark, with the words heard up to there.
 */
export class MediaStreamAudioOutput extends voice.AudioOutput {
  private readonly leadMs: number;
  private readonly markEveryMs: number;
  private readonly lineClock: () => number;
  private readonly segments: Segment[] = [];
  private readonly marks = new Map<string, { segment: Segment; atMs: number; final: boolean }>();
  private nextSegmentId = 1;
  private agentCursorMs = 0;
  private lineGone = false;
  private idleWaiters: (() => void)[] = [];
  tap: AudioTap | undefined;

  constructor(
    private readonly sink: MediaStreamSink,
    options: MediaStreamOutputOptions,
  ) {
    super(SAMPLE_RATE, undefined, { pause: false });
    this.leadMs = options.leadMs ?? DEFAULT_LEAD_MS;
    this.markEveryMs = options.markEveryMs ?? 100;
    this.lineClock = options.lineClock;
  }

  /** True while audio is queued or playing. */
  get busy(): boolean {
    return this.segments.length > 0;
  }

  /** Resolves once nothing is queued or playing. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  override async captureFrame(frame: AudioFrame): Promise<void> {
    await super.captureFrame(frame);
    if (frame.sampleRate !== SAMPLE_RATE || frame.channels !== 1) {
      throw new Error(`media stream output needs 8 kHz mono frames, got ${frame.sampleRate} Hz`);
    }
    let segment = this.segments.at(-1);
    if (!segment || segment.flushed || segment.done) {
      segment = new Segment(this.nextSegmentId++);
      this.segments.push(segment);
    }
    const timed = frame.userdata[TIMED_TRANSCRIPTS];
    if (Array.isArray(timed)) {
      for (const piece of timed.filter(isTimedString)) {
        segment.timed.push({
          text: piece.text,
          startMs: piece.startTime === undefined ? segment.pushedMs : piece.startTime * 1000,
          ...(piece.endTime === undefined ? {} : { endMs: piece.endTime * 1000 }),
        });
      }
    }
    const bytes = mulawEncode(frame.data.subarray(0, frame.samplesPerChannel));
    segment.pending.push(bytes);
    segment.pendingBytes += bytes.length;
    segment.pushedMs += bytes.length / BYTES_PER_MS;
    if (this.lineGone) return;
    this.pump();
  }

  override flush(): void {
    super.flush();
    const segment = this.segments.at(-1);
    if (!segment || segment.flushed || segment.done) return;
    segment.flushed = true;
    if (this.lineGone) this.finish(segment, true);
    else this.pump();
  }

  override clearBuffer(): void {
    const live = this.segments.filter((s) => !s.done);
    if (live.length === 0) return;
    if (!this.lineGone && live.some((s) => s.sentMs > 0)) {
      this.sink.sendClear();
      this.agentCursorMs = Math.min(this.agentCursorMs, this.lineClock());
      this.tap?.agentCut(this.lineClock());
    }
    for (const segment of live) this.finish(segment, true);
  }

  /** A `mark` echoed by Twilio. */
  markPlayed(name: string): void {
    const mark = this.marks.get(name);
    if (!mark) return;
    this.marks.delete(name);
    const { segment } = mark;
    if (segment.done) return;
    if (mark.atMs >= segment.playedMs) {
      segment.playedMs = mark.atMs;
      segment.playedAtLineMs = this.lineClock();
    }
    if (mark.final) this.finish(segment, false);
    else this.pump();
  }

  /**
   * The line is gone: nothing more will play. A segment the caller heard to its end counts as
   * played; one cut short (or still being produced) as interrupted. Returns whether speech was cut.
   */
  lineEnded(): boolean {
    if (this.lineGone) return false;
    this.lineGone = true;
    let cut = false;
    for (const segment of this.segments.filter((s) => !s.done)) {
      const heardAll = segment.flushed && this.playedEstimate(segment) >= segment.pushedMs - FRAME_MS;
      if (!heardAll) cut = true;
      if (segment.flushed || segment.sentMs > 0) this.finish(segment, !heardAll);
    }
    return cut;
  }

  private pump(): void {
    const segment = this.segments[0];
    if (!segment || segment.done || this.lineGone) return;
    while (segment.pendingBytes > 0 && segment.sentMs - segment.playedMs < this.leadMs) {
      // As many whole frames as the lead and the next mark allow go out as one message: a socket
      // write and a JSON message per 100 ms rather than per 20 ms frame, for the same playout.
      const roomMs = Math.min(
        this.leadMs - (segment.sentMs - segment.playedMs),
        this.markEveryMs - (segment.sentMs - segment.lastMarkMs),
      );
      const bytes = this.take(segment, Math.max(1, Math.floor(roomMs / FRAME_MS)) * FRAME_BYTES);
      if (!bytes) break;
      this.send(segment, bytes);
      if (segment.sentMs - segment.lastMarkMs >= this.markEveryMs) {
        this.mark(segment, false);
      }
    }
    if (segment.flushed && segment.pendingBytes === 0 && !segment.finalMarkSent) {
      if (segment.sentMs === 0) {
        this.finish(segment, false);
        return;
      }
      segment.finalMarkSent = true;
      this.mark(segment, true);
    }
  }

  /** Up to `want` bytes: whole frames only, until the segment is flushed (then its tail too). */
  private take(segment: Segment, want: number): Buffer | undefined {
    const whole = Math.floor(segment.pendingBytes / FRAME_BYTES) * FRAME_BYTES;
    const n = Math.min(want, segment.flushed ? segment.pendingBytes : whole);
    if (n === 0) return undefined;
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0) {
      const head = segment.pending[0]!;
      if (head.length <= need) {
        parts.push(head);
        segment.pending.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        segment.pending[0] = head.subarray(need);
        need = 0;
      }
    }
    segment.pendingBytes -= n;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  private send(segment: Segment, bytes: Buffer): void {
    if (!segment.started) {
      segment.started = true;
      segment.playedAtLineMs = this.lineClock();
      this.onPlaybackStarted(Date.now());
    }
    this.sink.sendMedia(bytes);
    const durationMs = bytes.length / BYTES_PER_MS;
    const playAt = Math.max(this.lineClock(), this.agentCursorMs);
    this.agentCursorMs = playAt + durationMs;
    this.tap?.agent(mulawDecode(bytes), playAt);
    segment.sentMs += durationMs;
  }

  private mark(segment: Segment, final: boolean): void {
    const name = `${segment.id}:${final ? 'end' : Math.round(segment.sentMs)}`;
    this.marks.set(name, { segment, atMs: segment.sentMs, final });
    segment.lastMarkMs = segment.sentMs;
    this.sink.sendMark(name);
  }

  /**
   * Where playback is now: the last echoed mark, advanced by the line time since (the line plays
   * outbound audio at the pace it delivers inbound audio), but never past the next mark not yet
   * echoed, since playback may have stalled before it.
   */
  private playedEstimate(segment: Segment): number {
    if (!segment.started) return 0;
    let bound = segment.sentMs;
    for (const mark of this.marks.values()) {
      if (mark.segment === segment && mark.atMs > segment.playedMs) bound = Math.min(bound, mark.atMs);
    }
    const advanced = segment.playedMs + Math.max(0, this.lineClock() - segment.playedAtLineMs);
    return Math.min(advanced, bound);
  }

  private finish(segment: Segment, interrupted: boolean): void {
    if (segment.done) return;
    const positionMs = interrupted
      ? Math.min(this.playedEstimate(segment), segment.pushedMs)
      : segment.pushedMs;
    segment.done = true;
    segment.pending = [];
    segment.pendingBytes = 0;
    const index = this.segments.indexOf(segment);
    if (index >= 0) this.segments.splice(index, 1);
    for (const [name, mark] of this.marks) if (mark.segment === segment) this.marks.delete(name);
    this.onPlaybackFinished({
      playbackPosition: positionMs / 1000,
      interrupted,
      ...(interrupted && segment.timed.length > 0
        ? { synchronizedTranscript: synchronizedTranscript(segment.timed, positionMs, segment.pushedMs) }
        : {}),
    });
    if (this.segments.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    } else {
      this.pump();
    }
  }
}
