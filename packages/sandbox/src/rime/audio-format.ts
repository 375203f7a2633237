import { mulawEncode, pcm16ToBytes } from '../audio/index.js';

export type RimeAudioFormat = 'mulaw' | 'pcm' | 'wav';

export interface ResponseFormat {
  format: RimeAudioFormat;
  contentType: string;
}

// Both the RFC names Rime documents now and the legacy aliases older clients send.
const BY_ACCEPT: Record<string, ResponseFormat> = {
  'audio/pcmu': { format: 'mulaw', contentType: 'audio/PCMU' },
  'audio/x-mulaw': { format: 'mulaw', contentType: 'audio/x-mulaw' },
  'audio/l16': { format: 'pcm', contentType: 'audio/L16' },
  'audio/pcm': { format: 'pcm', contentType: 'audio/pcm' },
  'audio/wav': { format: 'wav', contentType: 'audio/wav' },
};

/** Formats Rime serves that the emulator cannot encode. */
const UNSUPPORTED = ['audio/mpeg', 'audio/mp3', 'audio/webm', 'audio/ogg'];

export type AcceptResult = { ok: true; format: ResponseFormat } | { ok: false; message: string };

export function formatFromAccept(accept: string | undefined): AcceptResult {
  const wanted = (accept ?? '').split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  for (const type of wanted) {
    const format = BY_ACCEPT[type];
    if (format) return { ok: true, format };
  }
  const unsupported = wanted.find((type) => UNSUPPORTED.includes(type));
  if (unsupported) return { ok: false, message: `The emulator cannot encode ${unsupported}.` };
  return { ok: false, message: 'Set Accept to an audio format (audio/PCMU, audio/L16, audio/wav, …).' };
}

/** Headerless μ-law or PCM16 LE bytes. */
export function encodeAudio(pcm: Int16Array, format: 'mulaw' | 'pcm'): Buffer {
  return format === 'mulaw' ? mulawEncode(pcm) : pcm16ToBytes(pcm);
}

/**
 * RIFF/WAVE header for mono PCM16. The data size is unknown while streaming, so like other
 * streaming servers it says 0xFFFFFFFF.
 */
export function wavHeader(sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(0xffffffff, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(0xffffffff, 40);
  return header;
}
