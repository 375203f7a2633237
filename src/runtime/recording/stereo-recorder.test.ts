import { describe, expect, it } from 'vitest';
import { readStereoWav, StereoRecorder } from './stereo-recorder.js';

describe('StereoRecorder', () => {
  it('places caller audio left and agent audio right on the line clock', () => {
    const rec = new StereoRecorder(8000);
    rec.caller(new Int16Array(160).fill(100), 0);
    rec.caller(new Int16Array(160).fill(200), 20);
    rec.agent(new Int16Array(80).fill(-300), 10);
    const { sampleRate, left, right } = readStereoWav(rec.toWav());
    expect(sampleRate).toBe(8000);
    expect(left.length).toBe(320);
    expect(rec.durationMs).toBe(40);
    expect([left[0], left[159], left[160], left[319]]).toEqual([100, 100, 200, 200]);
    expect([right[79], right[80], right[159], right[160]]).toEqual([0, -300, -300, 0]);
  });

  it('removes agent audio that a barge-in dropped before it played', () => {
    const rec = new StereoRecorder(8000);
    rec.agent(new Int16Array(800).fill(500), 0);
    rec.agentCut(50);
    const { right } = readStereoWav(rec.toWav());
    expect(right[399]).toBe(500);
    expect(right[400]).toBe(0);
    expect(right[799]).toBe(0);
  });
});
