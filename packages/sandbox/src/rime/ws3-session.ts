import type { WebSocket } from 'ws';
import type { SpeechPace } from '../audio/index.js';
import { encodeAudio } from './audio-format.js';
import type { RimeFaults } from './faults.js';
import { appliesTo, type RimeRequestRecord } from './key-state.js';
import { synthesizeUtterance } from './utterance-audio.js';
import { takeSentences, type Ws3Settings } from './ws3-settings.js';

export interface Ws3SessionOptions {
  settings: Ws3Settings;
  faults: RimeFaults;
  record: RimeRequestRecord;
  chunkMs: number;
  paddingMs: number;
  pace: SpeechPace | undefined;
}

type ContextId = string | null;
type Job =
  | { kind: 'synthesize'; text: string; contextId: ContextId }
  | { kind: 'done'; contextId: ContextId }
  | { kind: 'close' };

type ClientMessage =
  | { kind: 'text'; text: string; contextId?: ContextId }
  | { kind: 'flush' | 'clear' | 'eos'; contextId?: ContextId };

/**
 * One `/ws3` connection: buffers text, synthesizes sentences (or on flush), and streams `chunk`,
 * `timestamps` and `done` events tagged with the latest contextId, one job at a time and in order.
 */
export class Ws3Session {
  private buffer = '';
  private contextId: ContextId = null;
  private readonly jobs: Job[] = [];
  private running = false;
  /** Bumped by `clear`: output of older jobs stops. */
  private generation = 0;
  private readonly dropAfterBytes: number | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: Ws3SessionOptions,
  ) {
    const { dropMidStream } = options.faults;
    this.dropAfterBytes =
      dropMidStream && appliesTo(options.record.n, dropMidStream.firstRequests)
        ? dropMidStream.afterBytes
        : undefined;
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.sendError('send JSON text messages');
      else this.onMessage(data.toString());
    });
    ws.on('error', () => ws.terminate());
  }

  private onMessage(raw: string): void {
    const message = parseClientMessage(raw);
    if (!message) {
      this.sendError(`invalid message: ${raw.slice(0, 100)}`);
      return;
    }
    if (message.contextId !== undefined) this.contextId = message.contextId;
    switch (message.kind) {
      case 'text':
        this.buffer += message.text;
        this.segment();
        return;
      case 'flush':
        this.synthesizeBuffer();
        this.enqueue({ kind: 'done', contextId: this.contextId });
        return;
      case 'clear':
        this.buffer = '';
        this.jobs.length = 0;
        this.generation++;
        return;
      case 'eos':
        this.synthesizeBuffer();
        this.enqueue({ kind: 'done', contextId: this.contextId });
        this.enqueue({ kind: 'close' });
        return;
    }
  }

  private segment(): void {
    const { segment } = this.options.settings;
    if (segment === 'immediate') this.synthesizeBuffer();
    if (segment !== 'bySentence') return;
    const { sentences, rest } = takeSentences(this.buffer);
    this.buffer = rest;
    for (const text of sentences) this.enqueue({ kind: 'synthesize', text, contextId: this.contextId });
  }

  private synthesizeBuffer(): void {
    const text = this.buffer.trim();
    this.buffer = '';
    if (text) this.enqueue({ kind: 'synthesize', text, contextId: this.contextId });
  }

  private enqueue(job: Job): void {
    this.jobs.push(job);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (let job = this.jobs.shift(); job; job = this.jobs.shift()) {
        if (!this.open()) return;
        if (job.kind === 'synthesize') await this.synthesize(job.text, job.contextId);
        else if (job.kind === 'done') this.send({ type: 'done', contextId: job.contextId });
        else this.ws.close(1000);
      }
    } finally {
      this.running = false;
    }
  }

  private async synthesize(text: string, contextId: ContextId): Promise<void> {
    const generation = this.generation;
    const { settings, faults, record, chunkMs, paddingMs, pace } = this.options;
    const delayMs = faults.firstByteDelayMs ?? 0;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (generation !== this.generation || !this.open()) return;
    record.texts.push(text);
    record.characters += text.length;
    const { pcm, timestamps } = synthesizeUtterance(text, settings.samplingRate, paddingMs, pace);
    const samplesPerChunk = Math.max(1, Math.round((chunkMs * settings.samplingRate) / 1000));
    for (let i = 0; i < pcm.length; i += samplesPerChunk) {
      if (generation !== this.generation || !this.open()) return;
      let bytes = encodeAudio(pcm.subarray(i, i + samplesPerChunk), settings.format);
      const room = this.dropAfterBytes === undefined ? bytes.length : this.dropAfterBytes - record.audioBytes;
      if (room < bytes.length) bytes = bytes.subarray(0, Math.max(0, room));
      if (bytes.length > 0) {
        this.send({ type: 'chunk', data: bytes.toString('base64'), contextId });
        record.audioBytes += bytes.length;
      }
      if (this.dropAfterBytes !== undefined && record.audioBytes >= this.dropAfterBytes) {
        this.ws.terminate();
        return;
      }
      // Yield between chunks so a `clear` that arrives mid-utterance can cut it.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (generation !== this.generation) return;
    this.send({ type: 'timestamps', word_timestamps: timestamps, contextId });
  }

  private send(event: object): void {
    if (this.open()) this.ws.send(JSON.stringify(event));
  }

  private sendError(message: string): void {
    this.send({ type: 'error', message });
  }

  private open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }
}

function parseClientMessage(raw: string): ClientMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const fields = json as Record<string, unknown>;
  const contextId =
    'contextId' in fields
      ? typeof fields.contextId === 'string' || fields.contextId === null
        ? fields.contextId
        : undefined
      : undefined;
  if (typeof fields.text === 'string') return { kind: 'text', text: fields.text, contextId };
  const operation = fields.operation;
  if (operation === 'flush' || operation === 'clear' || operation === 'eos')
    return { kind: operation, contextId };
  return undefined;
}
