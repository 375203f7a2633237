// ITU-T G.711 μ-law, the audio format of Twilio Media Streams (8 kHz, one byte per sample).
const BIAS = 0x84;
const CLIP = 32635;

/** μ-law byte of a zero sample: what a silent line carries. */
export const MULAW_SILENCE = 0xff;

const DECODE_TABLE = buildDecodeTable();
// Encoding every call turns 8000 samples a second per call into table look-ups.
const ENCODE_TABLE = buildEncodeTable();

function buildDecodeTable(): Int16Array {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) {
    const byte = ~i & 0xff;
    const sign = byte & 0x80;
    const exponent = (byte >> 4) & 0x07;
    const mantissa = byte & 0x0f;
    const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    table[i] = sign ? -magnitude : magnitude;
  }
  return table;
}

function encodeSample(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function buildEncodeTable(): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encodeSample(i - 32768);
  return table;
}

/** PCM16 samples to μ-law bytes. */
export function mulawEncode(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = ENCODE_TABLE[pcm[i]! + 32768]!;
  return out;
}

/** μ-law bytes to PCM16 samples. */
export function mulawDecode(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = DECODE_TABLE[bytes[i]!]!;
  return out;
}
