// The tone alphabet: each symbol is a dual tone, one frequency from each group (like DTMF, with
// 8 × 8 = 64 codes). All tones sit inside the 300–3400 Hz telephone band, so G.711 μ-law at 8 kHz
// and simple resampling keep them. Adjacent tones in a group are ≥ 150 Hz apart, more than twice
// the Goertzel resolution of the 15 ms analysis window.
export const LOW_TONES_HZ = [400, 550, 700, 850, 1000, 1150, 1300, 1450] as const;
export const HIGH_TONES_HZ = [1750, 1950, 2150, 2350, 2550, 2750, 2950, 3150] as const;

/** Characters that can be spoken, in code order. Codes 0 and 1 are the utterance markers. */
export const SPEECH_CHARACTERS = 'abcdefghijklmnopqrstuvwxyz0123456789 .,?!\'-:;"()/&$%@#+=*_';

export const START_CODE = 0;
export const END_CODE = 1;
/**
 * Held between words to speak at a human pace: the decoder skips it (no character, no partial), so
 * a word gap is tone rather than silence and a lost frame inside it is still noticed.
 */
export const HOLD_CODE = 63;
const FIRST_CHARACTER_CODE = 2;

export const SYMBOL_COUNT = LOW_TONES_HZ.length * HIGH_TONES_HZ.length;

/** Shown in place of a symbol that could not be decoded (noise, a missing or mangled frame). */
export const UNDECODABLE = '\uFFFD';

const codeByCharacter = new Map<string, number>(
  [...SPEECH_CHARACTERS].map((ch, i) => [ch, i + FIRST_CHARACTER_CODE]),
);

export function codeForCharacter(ch: string): number | undefined {
  return codeByCharacter.get(ch);
}

/** The character a code stands for, or undefined for markers and unused codes. */
export function characterForCode(code: number): string | undefined {
  return SPEECH_CHARACTERS[code - FIRST_CHARACTER_CODE];
}

export function tonesForCode(code: number): [number, number] {
  return [
    LOW_TONES_HZ[Math.floor(code / HIGH_TONES_HZ.length)]!,
    HIGH_TONES_HZ[code % HIGH_TONES_HZ.length]!,
  ];
}

const CHARACTER_MAP: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '`': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2026': '...',
  '[': '(',
  ']': ')',
  '{': '(',
  '}': ')',
};

/**
 * The text that `synthesizeSpeech` actually speaks: NFKD with accents stripped, lowercased, typographic
 * quotes/dashes/ellipsis mapped to ASCII, brackets mapped to parentheses, any whitespace run collapsed
 * to one space, leading/trailing space trimmed, and every other character outside SPEECH_CHARACTERS
 * dropped. Decoded transcripts equal this normalised form.
 */
export function normalizeSpeechText(text: string): string {
  let out = '';
  for (const raw of text.normalize('NFKD').toLowerCase()) {
    if (/\s/u.test(raw)) {
      out += ' ';
      continue;
    }
    const mapped = CHARACTER_MAP[raw] ?? raw;
    for (const ch of mapped) if (codeByCharacter.has(ch)) out += ch;
  }
  return out.replace(/ {2,}/g, ' ').trim();
}
