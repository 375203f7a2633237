import { DeepgramFaults, type DeepgramFaultsInput } from './faults.js';

/** One `/v1/listen` connection attempt for an API key, as tests inspect it. */
export interface DeepgramConnectionRecord {
  /** 1-based attempt number for the key: what the fault knobs count. */
  n: number;
  requestId: string;
  /** HTTP status of the handshake: 101 when upgraded. */
  status: number;
  query: Record<string, string>;
  openedAt: number;
  closedAt?: number;
  /** Close code the server sent or observed; undefined while open. */
  closeCode?: number;
  closeReason?: string;
  /** Audio received, and its duration from encoding/sample_rate/channels. */
  audioBytes: number;
  audioSeconds: number;
  /** Transcripts of the finals that ended an utterance, in order. */
  utterances: string[];
}

export interface DeepgramUsage {
  /** Upgraded connections. */
  connections: number;
  /** Seconds of audio received over all connections: what Deepgram bills. */
  audioSeconds: number;
}

export class DeepgramKeyState {
  faults: DeepgramFaults;
  attempts = 0;
  readonly records: DeepgramConnectionRecord[] = [];
  private open = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(faults: DeepgramFaultsInput) {
    this.faults = DeepgramFaults.parse(faults);
  }

  /** Replaces the faults and restarts the attempt counter; records stay. */
  setFaults(faults: DeepgramFaultsInput): void {
    this.faults = DeepgramFaults.parse(faults);
    this.attempts = 0;
  }

  get openSockets(): number {
    return this.open;
  }

  socketOpened(): void {
    this.open++;
  }

  socketClosed(): void {
    this.open--;
    if (this.open === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves once no socket of this key is open. */
  whenIdle(): Promise<void> {
    if (this.open === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  reset(): void {
    this.attempts = 0;
    this.records.length = 0;
  }

  usage(): DeepgramUsage {
    const upgraded = this.records.filter((r) => r.status === 101);
    return {
      connections: upgraded.length,
      audioSeconds: Math.round(upgraded.reduce((sum, r) => sum + r.audioSeconds, 0) * 1e6) / 1e6,
    };
  }
}

/** Whether a knob limited to attempts 1..firstConnections applies to attempt n. */
export function appliesTo(n: number, firstConnections: number | undefined): boolean {
  return firstConnections === undefined || n <= firstConnections;
}
