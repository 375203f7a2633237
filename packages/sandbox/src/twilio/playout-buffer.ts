type Queued = { kind: 'audio'; bytes: Buffer } | { kind: 'mark'; name: string };

export interface PlayoutFrame {
  /** μ-law bytes played in this frame; shorter than a frame (even empty) when the buffer ran dry. */
  audio: Buffer;
  /** Marks whose preceding audio finished playing before this frame started. */
  marks: string[];
}

/**
 * Twilio's playback buffer for outbound audio on a bidirectional stream. Audio plays in frame-sized
 * steps; a mark is reached once all audio queued before it has played. After running dry (less
 * than a frame left), playback waits until `prebufferBytes` are buffered or `prebufferFrames` frames
 * have passed, as a jitter buffer does, so a sender pacing in real time does not put a gap in the
 * middle of its audio each time a frame arrives a little late.
 */
export class PlayoutBuffer {
  private readonly queue: Queued[] = [];
  private headOffset = 0;
  private crossed: string[] = [];
  private buffered = 0;
  private starved = true;
  private starvedFrames = 0;

  constructor(
    private readonly frameBytes: number,
    private readonly prebufferBytes = 0,
    private readonly prebufferFrames = 0,
  ) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  pushAudio(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.queue.push({ kind: 'audio', bytes });
    this.buffered += bytes.length;
  }

  pushMark(name: string): void {
    this.queue.push({ kind: 'mark', name });
  }

  /** Drops every unplayed byte and returns all pending marks, in order, to be echoed at once. */
  clear(): { droppedBytes: number; marks: string[] } {
    const marks = [...this.crossed];
    for (const item of this.queue) if (item.kind === 'mark') marks.push(item.name);
    const droppedBytes = this.buffered;
    this.queue.length = 0;
    this.crossed = [];
    this.headOffset = 0;
    this.buffered = 0;
    this.starved = true;
    this.starvedFrames = 0;
    return { droppedBytes, marks };
  }

  nextFrame(): PlayoutFrame {
    const marks = this.crossed;
    this.crossed = [];
    this.takeLeadingMarks(marks);
    if (!this.starved && this.buffered < this.frameBytes) {
      // Less than a frame left: wait for more rather than pad the middle of a sentence with silence.
      this.starved = true;
      this.starvedFrames = 0;
    }
    if (this.starved) {
      if (this.buffered === 0) return { audio: Buffer.alloc(0), marks };
      this.starvedFrames++;
      const enough = this.buffered >= Math.max(this.prebufferBytes, this.frameBytes);
      if (!enough && this.starvedFrames <= this.prebufferFrames) return { audio: Buffer.alloc(0), marks };
      this.starved = false;
    }
    const parts: Buffer[] = [];
    let need = this.frameBytes;
    while (need > 0 && this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'mark') {
        this.crossed.push(head.name);
        this.queue.shift();
        continue;
      }
      const take = Math.min(need, head.bytes.length - this.headOffset);
      parts.push(head.bytes.subarray(this.headOffset, this.headOffset + take));
      this.headOffset += take;
      need -= take;
      if (this.headOffset === head.bytes.length) {
        this.queue.shift();
        this.headOffset = 0;
      }
    }
    const audio = Buffer.concat(parts);
    this.buffered -= audio.length;
    // Marks right behind the last byte played are reached when this frame finishes.
    this.takeLeadingMarks(this.crossed);
    return { audio, marks };
  }

  private takeLeadingMarks(into: string[]): void {
    while (this.queue[0]?.kind === 'mark') {
      const mark = this.queue.shift() as { kind: 'mark'; name: string };
      into.push(mark.name);
    }
  }
}
