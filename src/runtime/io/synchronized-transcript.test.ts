import { describe, expect, it } from 'vitest';
import { synchronizedTranscript } from './synchronized-transcript.js';

describe('synchronizedTranscript', () => {
  const sentences = [
    { text: 'We are open Monday to Friday.', startMs: 0 },
    { text: 'On Saturdays from nine until one.', startMs: 1000 },
  ];

  it('keeps everything when playback finished', () => {
    expect(synchronizedTranscript(sentences, 2000, 2000)).toBe(
      'We are open Monday to Friday. On Saturdays from nine until one.',
    );
  });

  it('cuts a sentence at the last word that fits in the played share', () => {
    // 29 characters in 1000 ms: after 400 ms, 11.6 characters' worth played.
    expect(synchronizedTranscript(sentences, 400, 2000)).toBe('We are open');
    expect(synchronizedTranscript(sentences, 1500, 2000)).toBe('We are open Monday to Friday. On Saturdays');
  });

  it('keeps nothing before the first word has played', () => {
    expect(synchronizedTranscript(sentences, 0, 2000)).toBe('');
    expect(synchronizedTranscript(sentences, 30, 2000)).toBe('');
  });

  it('keeps words with timestamps only once they have finished', () => {
    const words = [
      { text: 'Hi ', startMs: 20, endMs: 60 },
      { text: 'there. ', startMs: 80, endMs: 200 },
      { text: 'How ', startMs: 260, endMs: 320 },
    ];
    expect(synchronizedTranscript(words, 250, 400)).toBe('Hi there.');
    expect(synchronizedTranscript(words, 100, 400)).toBe('Hi');
  });
});
