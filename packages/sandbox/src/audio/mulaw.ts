import alawmulaw from 'alawmulaw';

// The emulated phone network encodes with its own G.711 μ-law codec (a maintained library), not the
// product's: an error in either side's codec then shows up as a wrong transcript instead of cancelling out.

/** PCM16 samples to μ-law bytes. */
export function mulawEncode(pcm: Int16Array): Buffer {
  return Buffer.from(alawmulaw.mulaw.encode(pcm));
}

/** μ-law bytes to PCM16 samples. */
export function mulawDecode(bytes: Uint8Array): Int16Array {
  return alawmulaw.mulaw.decode(bytes);
}
