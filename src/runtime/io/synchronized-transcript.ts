/**
 * A piece of the reply text placed on the segment's audio timeline: a whole sentence (start only,
 * as the sentence-by-sentence TTS adapter reports it) or a word (start and end, from TTS word
 * timestamps). Times are ms from the start of the segment's audio.
 */
export interface TimedText {
  text: string;
  startMs: number;
  endMs?: number;
}

/**
 * The part of a reply the caller actually heard, given how far playback got: whole pieces that
 * finished playing, then, inside a sentence cut short, the words whose share of the sentence's
 * characters fits in the share of its audio that played (the speech rate within a sentence is
 * taken as even). Never ends in a partial word.
 */
export function synchronizedTranscript(
  pieces: readonly TimedText[],
  playedMs: number,
  totalMs: number,
): string {
  const sorted = [...pieces].sort((a, b) => a.startMs - b.startMs);
  const heard: string[] = [];
  for (const [i, piece] of sorted.entries()) {
    if (piece.startMs >= playedMs) break;
    if (piece.endMs !== undefined) {
      if (piece.endMs > playedMs) break;
      heard.push(piece.text);
      continue;
    }
    const endMs = Math.min(sorted[i + 1]?.startMs ?? totalMs, totalMs);
    if (endMs <= playedMs) {
      heard.push(piece.text);
      continue;
    }
    heard.push(wordsWithin(piece.text, (playedMs - piece.startMs) / Math.max(1, endMs - piece.startMs)));
    break;
  }
  return heard
    .map((t) => t.trim())
    .filter(Boolean)
    .join(' ');
}

function wordsWithin(text: string, fraction: number): string {
  const budget = fraction * text.trim().length;
  const kept: string[] = [];
  let used = 0;
  for (const word of text.trim().split(/\s+/)) {
    const next = used + (kept.length > 0 ? 1 : 0) + word.length;
    if (next > budget) break;
    kept.push(word);
    used = next;
  }
  return kept.join(' ');
}
