import { RimeFaults, type RimeFaultsInput } from './faults.js';

/** One HTTP request or /ws3 connection for an API key, as tests inspect it. */
export interface RimeRequestRecord {
  /** 1-based request number for the key: what the fault knobs count. */
  n: number;
  kind: 'http' | 'ws';
  /** HTTP status answered (101 for an upgraded WebSocket). */
  status: number;
  at: number;
  modelId?: string;
  /** The `lang` the request or connection asked for, when it named one. */
  lang?: string;
  speaker?: string;
  /** `mulaw`, `pcm` or `wav`. */
  format?: string;
  samplingRate?: number;
  /** Each text synthesized, in order. */
  texts: string[];
  /** Characters synthesized (what Rime bills). */
  characters: number;
  /** Audio bytes sent. */
  audioBytes: number;
}

export interface RimeUsage {
  requests: number;
  characters: number;
}

export class RimeKeyState {
  faults: RimeFaults;
  requestCount = 0;
  readonly records: RimeRequestRecord[] = [];

  constructor(faults: RimeFaultsInput) {
    this.faults = RimeFaults.parse(faults);
  }

  setFaults(faults: RimeFaultsInput): void {
    this.faults = RimeFaults.parse(faults);
    this.requestCount = 0;
  }

  reset(): void {
    this.requestCount = 0;
    this.records.length = 0;
  }

  usage(): RimeUsage {
    return {
      requests: this.records.length,
      characters: this.records.reduce((sum, r) => sum + r.characters, 0),
    };
  }
}

/** Whether a knob limited to requests 1..firstRequests applies to request n. */
export function appliesTo(n: number, firstRequests: number | undefined): boolean {
  return firstRequests === undefined || n <= firstRequests;
}
