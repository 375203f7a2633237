import { isTimedString, voice } from '@livekit/agents';
import {
  type AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  type RemoteParticipant,
  type RemoteTrack,
  type Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
} from '@livekit/rtc-node';
import {
  type AudioTap,
  type CallIO,
  type LineEnd,
  PushAudioInput,
  synchronizedTranscript,
  type TimedText,
} from '../../runtime/index.js';

/**
 * Agent audio to a LiveKit audio source. The source's queue is the playout buffer: what is still
 * queued when the caller barges in never played, so the position (and the words heard) follow from
 * what was pushed minus what was cleared.
 */
class RoomAudioOutput extends voice.AudioOutput {
  private pushedMs = 0;
  private timed: TimedText[] = [];
  private playing = false;
  private generation = 0;
  tap: AudioTap | undefined;

  constructor(
    private readonly source: AudioSource,
    private readonly lineClock: () => number,
  ) {
    super(source.sampleRate, undefined, { pause: false });
  }

  override async captureFrame(frame: AudioFrame): Promise<void> {
    await super.captureFrame(frame);
    if (!this.playing) {
      this.playing = true;
      this.pushedMs = 0;
      this.timed = [];
      this.onPlaybackStarted(Date.now());
    }
    const pieces = frame.userdata['lk.timed_transcripts'];
    if (Array.isArray(pieces)) {
      for (const piece of pieces.filter(isTimedString)) {
        this.timed.push({
          text: piece.text,
          startMs: piece.startTime === undefined ? this.pushedMs : piece.startTime * 1000,
          ...(piece.endTime === undefined ? {} : { endMs: piece.endTime * 1000 }),
        });
      }
    }
    this.tap?.agent(frame.data.subarray(0, frame.samplesPerChannel), this.lineClock());
    this.pushedMs += (frame.samplesPerChannel / frame.sampleRate) * 1000;
    await this.source.captureFrame(frame);
  }

  override flush(): void {
    super.flush();
    if (!this.playing) return;
    const generation = this.generation;
    void this.source.waitForPlayout().then(() => {
      if (generation !== this.generation || !this.playing) return;
      this.playing = false;
      this.onPlaybackFinished({ playbackPosition: this.pushedMs / 1000, interrupted: false });
    });
  }

  override clearBuffer(): void {
    if (!this.playing) return;
    this.generation++;
    const playedMs = Math.max(0, this.pushedMs - this.source.queuedDuration);
    this.source.clearQueue();
    this.tap?.agentCut(this.lineClock());
    this.playing = false;
    this.onPlaybackFinished({
      playbackPosition: playedMs / 1000,
      interrupted: true,
      ...(this.timed.length > 0
        ? { synchronizedTranscript: synchronizedTranscript(this.timed, playedMs, this.pushedMs) }
        : {}),
    });
  }

  /** Returns whether speech was cut. */
  release(): boolean {
    const cut = this.playing;
    if (cut) this.clearBuffer();
    return cut;
  }
}

/**
 * A call carried by a LiveKit room (SIP participant): the participant's audio track becomes the
 * engine's input, the engine's audio is published as our track, the participant leaving ends the
 * line, and hanging up deletes the room (which hangs up the SIP leg).
 * Not exercised offline: it needs a LiveKit server (see the runtime notes).
 */
export class LiveKitRoomIO implements CallIO {
  readonly transport = 'livekit' as const;
  readonly audioInput: PushAudioInput;
  readonly audioOutput: RoomAudioOutput;
  readonly ended: Promise<LineEnd>;
  private resolveEnded!: (end: LineEnd) => void;
  private done = false;
  private startedAt = Date.now();
  private tap: AudioTap | undefined;
  private readonly source: AudioSource;

  constructor(
    private readonly room: Room,
    participant: RemoteParticipant,
    readonly sampleRate: number,
    private readonly deleteRoom: () => Promise<void>,
  ) {
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
    this.audioInput = new PushAudioInput(sampleRate);
    this.source = new AudioSource(sampleRate, 1);
    this.audioOutput = new RoomAudioOutput(this.source, () => this.nowMs());
    room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _pub, who: RemoteParticipant) => {
      if (who.identity === participant.identity && track.kind === TrackKind.KIND_AUDIO) void this.pump(track);
    });
    room.on(RoomEvent.ParticipantDisconnected, (who: RemoteParticipant) => {
      if (who.identity === participant.identity) this.finish({ by: 'caller', reason: 'participant left' });
    });
    room.on(RoomEvent.Disconnected, () => this.finish({ by: 'transport', reason: 'room disconnected' }));
    for (const publication of participant.trackPublications.values()) {
      if (publication.track && publication.kind === TrackKind.KIND_AUDIO) void this.pump(publication.track);
    }
  }

  /** Publishes the agent's track; call before the engine speaks. */
  async publish(): Promise<void> {
    const track = LocalAudioTrack.createAudioTrack('agent', this.source);
    await this.room.localParticipant?.publishTrack(
      track,
      new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
    );
  }

  nowMs(): number {
    return Date.now() - this.startedAt;
  }

  callerAudioSeconds(): number {
    return this.audioInput.deliveredSeconds;
  }

  onDtmf(_listener: (digit: string) => void): void {
    // DTMF over SIP arrives as room data packets; not mapped yet.
  }

  setTap(tap: AudioTap | undefined): void {
    this.tap = tap;
    this.audioOutput.tap = tap;
  }

  async hangup(reason: string): Promise<void> {
    this.finish({ by: 'agent', reason });
    await this.deleteRoom();
  }

  release(): boolean {
    const cut = this.audioOutput.release();
    this.audioInput.end();
    return cut;
  }

  private async pump(track: RemoteTrack): Promise<void> {
    const stream = new AudioStream(track, { sampleRate: this.sampleRate, numChannels: 1 });
    for await (const frame of stream) {
      if (this.done) break;
      const pcm = frame.data.subarray(0, frame.samplesPerChannel);
      this.tap?.caller(pcm, this.nowMs());
      this.audioInput.push(pcm);
    }
  }

  private finish(end: LineEnd): void {
    if (this.done) return;
    this.done = true;
    this.resolveEnded(end);
  }
}
