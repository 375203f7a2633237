import { SpeechDecoder, type SpeechEvent, type SpeechWord, SYMBOL_MS } from '../audio/index.js';
import type { ListenParams } from './listen-params.js';
import {
  type ModelDescription,
  resultsMessage,
  type ServerMessage,
  speechStartedMessage,
  type TranscriptSegment,
  utteranceEndMessage,
} from './messages.js';

export interface TranscriberOutput {
  send(message: ServerMessage): void;
  /** A final transcript that ended an utterance was just sent. */
  utteranceFinalized(text: string): void;
}

/**
 * Audio ms between interim results: Deepgram sends about one a second while someone speaks (the
 * first as soon as a word is recognised).
 */
export const INTERIM_INTERVAL_MS = 1000;
/**
 * Speech after which Deepgram finalizes what it has (`is_final: true`, `speech_final: false`) at
 * the next word boundary, so a long utterance arrives as several final segments before the
 * endpoint's `speech_final`.
 */
export const FINAL_SEGMENT_MS = 2500;

interface TranscriberContext {
  params: ListenParams;
  /**
   * Background noise keeps the endpoint from firing: finals come with `speech_final: false`, and
   * only `UtteranceEnd` (when asked for) tells that the caller stopped.
   */
  noEndpoint?: boolean;
  channel: number;
  /** Channels reported in `channel_index`. */
  channels: number;
  requestId: string;
  model: ModelDescription;
}

interface OpenUtterance {
  text: string;
  words: SpeechWord[];
  startMs: number;
  atMs: number;
}

/**
 * Turns one audio channel into Deepgram messages. All timing is audio time (ms of this channel's
 * audio received), so a client may send faster than real time: endpointing and UtteranceEnd fire
 * once enough silent audio has arrived, whatever the wall clock says.
 */
export class ChannelTranscriber {
  private readonly decoder: SpeechDecoder;
  private open: OpenUtterance | undefined;
  /** Part of the open utterance already sent as final (by Finalize). */
  private finalizedChars = 0;
  private finalizedUntilMs: number | undefined;
  /** A finished utterance waiting for `endpointing` ms of silence. */
  private awaitingEndpoint: { segment: TranscriptSegment; dueMs: number } | undefined;
  private utteranceEndDueMs: number | undefined;
  private lastWordEndMs = 0;
  private lastInterimText = '';
  /** Audio time of the last interim (or of speech start): the next is due a second later. */
  private lastInterimAtMs = 0;
  /** Audio time the current final segment began (speech start, or the last segment's end). */
  private segmentStartMs = 0;

  constructor(
    private readonly context: TranscriberContext,
    private readonly output: TranscriberOutput,
  ) {
    this.decoder = new SpeechDecoder(context.params.sampleRate);
  }

  get audioMs(): number {
    return this.decoder.positionMs;
  }

  push(pcm: Int16Array): void {
    this.handle(this.decoder.push(pcm));
  }

  /** `{"type":"Finalize"}`: whatever has been heard becomes final now (`from_finalize: true`). */
  finalize(): void {
    if (this.awaitingEndpoint) {
      this.sendFinal(this.awaitingEndpoint.segment, {
        speechFinal: false,
        fromFinalize: true,
        endsUtterance: true,
      });
      this.awaitingEndpoint = undefined;
      return;
    }
    const open = this.open;
    const segment = open && this.remainder(open.text, open.words, open.startMs, open.atMs);
    if (open && segment?.text.trim()) {
      this.sendFinal(segment, { speechFinal: false, fromFinalize: true, endsUtterance: false });
      this.finalizedChars = open.text.length;
      this.finalizedUntilMs = open.atMs;
      return;
    }
    const now = this.audioMs;
    this.sendFinal(
      { text: '', words: [], startMs: now, endMs: now },
      { speechFinal: false, fromFinalize: true, endsUtterance: false },
    );
  }

  /** End of stream: decode the rest and send every pending final. */
  close(): void {
    this.handle(this.decoder.flush());
    if (this.awaitingEndpoint) {
      this.sendFinal(this.awaitingEndpoint.segment, {
        speechFinal: false,
        fromFinalize: false,
        endsUtterance: true,
      });
      this.awaitingEndpoint = undefined;
    }
  }

  private handle(events: SpeechEvent[]): void {
    let interim: OpenUtterance | undefined;
    for (const event of events) {
      switch (event.type) {
        case 'speech_start':
          this.advance(event.atMs);
          this.onSpeechStart(event.atMs);
          break;
        case 'partial':
          // Words are still coming: no UtteranceEnd for the segment finalized before them.
          this.utteranceEndDueMs = undefined;
          this.advance(event.atMs);
          this.open = { text: event.text, words: event.words, startMs: event.startMs, atMs: event.atMs };
          if (this.segmentDue(this.open)) {
            this.finalizeSegment(this.open);
            interim = undefined;
          } else if (interim || this.interimDue(this.open)) {
            interim = this.open;
          }
          break;
        case 'utterance':
          this.advance(event.endMs);
          interim = undefined;
          this.onUtterance(event.text, event.words, event.startMs, event.endMs);
          break;
      }
    }
    if (interim) this.sendInterim(interim);
    this.advance(this.audioMs);
  }

  /** The first interim once a word is heard (what barge-in reacts to), then one a second. */
  private interimDue(open: OpenUtterance): boolean {
    if (this.lastInterimText === '' && open.text.endsWith(' ')) return true;
    return open.atMs - this.lastInterimAtMs >= INTERIM_INTERVAL_MS;
  }

  /** A long stretch of speech has just completed a word: time for a final segment. */
  private segmentDue(open: OpenUtterance): boolean {
    return open.atMs - this.segmentStartMs >= FINAL_SEGMENT_MS && open.text.endsWith(' ');
  }

  /** Sends the open utterance so far as a final segment (not speech_final); the rest follows. */
  private finalizeSegment(open: OpenUtterance): void {
    const segment = this.remainder(open.text, open.words, open.startMs, open.atMs);
    if (!segment.text.trim()) return;
    this.sendFinal(segment, { speechFinal: false, fromFinalize: false, endsUtterance: false });
    this.finalizedChars = open.text.length;
    this.finalizedUntilMs = open.atMs;
    this.segmentStartMs = open.atMs;
    this.lastInterimAtMs = open.atMs;
    this.lastInterimText = '';
  }

  private onSpeechStart(atMs: number): void {
    // New speech before the endpoint: the previous phrase is final but not speech_final.
    if (this.awaitingEndpoint) {
      this.sendFinal(this.awaitingEndpoint.segment, {
        speechFinal: false,
        fromFinalize: false,
        endsUtterance: true,
      });
      this.awaitingEndpoint = undefined;
    }
    this.utteranceEndDueMs = undefined;
    this.finalizedChars = 0;
    this.finalizedUntilMs = undefined;
    this.lastInterimText = '';
    this.lastInterimAtMs = atMs;
    this.segmentStartMs = atMs;
    const { channel, channels, params } = this.context;
    if (params.vadEvents) this.output.send(speechStartedMessage(channel, channels, atMs));
  }

  private onUtterance(text: string, words: SpeechWord[], startMs: number, endMs: number): void {
    this.open = undefined;
    const segment = this.remainder(text, words, startMs, endMs);
    const { endpointing } = this.context.params;
    if (endpointing === false || this.context.noEndpoint) {
      this.sendFinal(segment, { speechFinal: false, fromFinalize: false, endsUtterance: true });
    } else {
      this.awaitingEndpoint = { segment, dueMs: endMs + endpointing };
      this.advance(endMs);
    }
  }

  /** Fires what is due at audio time `nowMs`: the endpoint, then UtteranceEnd. */
  private advance(nowMs: number): void {
    if (this.awaitingEndpoint && this.awaitingEndpoint.dueMs <= nowMs) {
      const { segment } = this.awaitingEndpoint;
      this.awaitingEndpoint = undefined;
      this.sendFinal(segment, { speechFinal: true, fromFinalize: false, endsUtterance: true });
    }
    if (this.utteranceEndDueMs !== undefined && this.utteranceEndDueMs <= nowMs) {
      this.utteranceEndDueMs = undefined;
      const { channel, channels } = this.context;
      this.output.send(utteranceEndMessage(channel, channels, this.lastWordEndMs));
    }
  }

  private sendInterim(open: OpenUtterance): void {
    if (!this.context.params.interimResults) return;
    const segment = this.remainder(open.text, open.words, open.startMs, open.atMs);
    const text = segment.text.trim();
    if (!text || text === this.lastInterimText) return;
    this.lastInterimText = text;
    this.lastInterimAtMs = open.atMs;
    this.output.send(this.results(segment, { isFinal: false, speechFinal: false, fromFinalize: false }));
  }

  private sendFinal(
    segment: TranscriptSegment,
    flags: { speechFinal: boolean; fromFinalize: boolean; endsUtterance: boolean },
  ): void {
    this.output.send(this.results(segment, { isFinal: true, ...flags }));
    const lastWord = segment.words.at(-1);
    if (lastWord) this.lastWordEndMs = lastWord.endMs;
    const { params } = this.context;
    if (lastWord && params.utteranceEndMs !== undefined && params.interimResults) {
      this.utteranceEndDueMs = lastWord.endMs + params.utteranceEndMs;
    }
    if (flags.endsUtterance) this.output.utteranceFinalized(segment.text);
  }

  private results(
    segment: TranscriptSegment,
    flags: { isFinal: boolean; speechFinal: boolean; fromFinalize: boolean },
  ): ServerMessage {
    const { channel, channels, params, requestId, model } = this.context;
    return resultsMessage(segment, {
      channel,
      channels,
      punctuate: params.punctuate,
      requestId,
      model,
      ...flags,
    });
  }

  /** The part of an utterance not yet sent as final, with word times cut at the finalized point. */
  private remainder(text: string, words: SpeechWord[], startMs: number, endMs: number): TranscriptSegment {
    const from = this.finalizedUntilMs;
    if (from === undefined) return { text, words, startMs, endMs };
    const rest = words.flatMap((w) => {
      if (w.endMs <= from) return [];
      if (w.startMs >= from) return [w];
      const cut = Math.round((from - w.startMs) / SYMBOL_MS);
      return [{ word: w.word.slice(cut), startMs: from, endMs: w.endMs }];
    });
    return { text: text.slice(this.finalizedChars).trimStart(), words: rest, startMs: from, endMs };
  }
}
