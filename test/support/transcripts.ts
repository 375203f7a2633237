import type { TranscriptEntry } from '@switchboard/sandbox';
import { normalizeSpeechText } from '@switchboard/sandbox';
import { expect } from 'vitest';

export interface SpokenTurn {
  speaker: string;
  text: string;
  interrupted: boolean;
}

/**
 * What the simulated caller heard and said, as turns: consecutive agent utterances (the TTS says
 * one sentence at a time) joined, the cut-off last word of interrupted speech dropped. Ordered by
 * end time, so agent speech cut off by the caller comes before the caller's words.
 */
export function heardTurns(transcript: readonly TranscriptEntry[]): { speaker: string; text: string }[] {
  const turns: { speaker: string; text: string }[] = [];
  for (const entry of [...transcript].sort((a, b) => a.endMs - b.endMs)) {
    const text = entry.interrupted ? completeWords(entry.text) : entry.text;
    const last = turns.at(-1);
    if (last && last.speaker === 'agent' && entry.speaker === 'agent') {
      if (text) last.text = last.text ? `${last.text} ${text}` : text;
    } else if (text || entry.speaker === 'caller') turns.push({ speaker: entry.speaker, text });
  }
  return turns;
}

function completeWords(text: string): string {
  if (/[.?!]$/.test(text)) return text;
  return text.split(' ').slice(0, -1).join(' ');
}

/**
 * The persisted turns are what the caller heard: the same turns in the same order with the same
 * words, except that where the agent was cut off the two may disagree on the one word being spoken
 * at that moment. Consecutive agent turns (a reply, then the answer from a tool) count as one.
 */
export function expectSameTurns(
  recorded: readonly SpokenTurn[],
  transcript: readonly TranscriptEntry[],
): void {
  const heard = heardTurns(transcript);
  const merged: SpokenTurn[] = [];
  for (const u of recorded) {
    const last = merged.at(-1);
    if (last?.speaker === 'agent' && u.speaker === 'agent' && !last.interrupted) {
      last.text = `${last.text} ${u.text}`;
      last.interrupted = u.interrupted;
    } else merged.push({ ...u });
  }
  expect(
    merged.map((u) => u.speaker),
    'speakers in order',
  ).toEqual(heard.map((t) => t.speaker));
  merged.forEach((u, i) => {
    const ours = normalizeSpeechText(u.text);
    const theirs = heard[i]!.text;
    if (!u.interrupted) {
      expect(ours, `turn ${i}`).toBe(theirs);
      return;
    }
    const a = ours ? ours.split(' ') : [];
    const b = theirs ? theirs.split(' ') : [];
    const [short, long] = a.length <= b.length ? [a, b] : [b, a];
    expect(long.slice(0, short.length), `turn ${i} (interrupted)`).toEqual(short);
    expect(long.length - short.length, `turn ${i} (interrupted)`).toBeLessThanOrEqual(1);
  });
}
