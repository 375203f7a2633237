import { describe, expect, it } from 'vitest';
import { PlayoutBuffer } from './playout-buffer.js';

const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

describe('PlayoutBuffer', () => {
  it('plays frame by frame and reaches a mark only after the audio before it played', () => {
    const buffer = new PlayoutBuffer(160);
    buffer.pushAudio(bytes(320));
    buffer.pushMark('a');
    buffer.pushAudio(bytes(160, 2));
    buffer.pushMark('b');
    expect(buffer.nextFrame()).toEqual({ audio: bytes(160), marks: [] });
    expect(buffer.nextFrame()).toEqual({ audio: bytes(160), marks: [] });
    expect(buffer.nextFrame()).toEqual({ audio: bytes(160, 2), marks: ['a'] });
    expect(buffer.nextFrame()).toEqual({ audio: Buffer.alloc(0), marks: ['b'] });
    expect(buffer.nextFrame()).toEqual({ audio: Buffer.alloc(0), marks: [] });
  });

  it('echoes a mark sent with nothing queued on the next frame', () => {
    const buffer = new PlayoutBuffer(160);
    buffer.pushMark('m');
    expect(buffer.nextFrame().marks).toEqual(['m']);
  });

  it('clear drops unplayed audio and returns pending marks in order', () => {
    const buffer = new PlayoutBuffer(160);
    buffer.pushAudio(bytes(800));
    buffer.pushMark('x');
    buffer.pushAudio(bytes(800));
    buffer.pushMark('y');
    buffer.nextFrame();
    expect(buffer.clear()).toEqual({ droppedBytes: 1440, marks: ['x', 'y'] });
    expect(buffer.bufferedBytes).toBe(0);
    expect(buffer.nextFrame()).toEqual({ audio: Buffer.alloc(0), marks: [] });
  });

  it('waits for its jitter buffer after running dry, not in the middle of a frame', () => {
    const buffer = new PlayoutBuffer(160, 480, 3);
    buffer.pushAudio(bytes(160));
    expect(buffer.nextFrame().audio.length).toBe(0);
    buffer.pushAudio(bytes(160));
    expect(buffer.nextFrame().audio.length).toBe(0);
    buffer.pushAudio(bytes(160));
    expect(buffer.nextFrame().audio.length).toBe(160);
    expect(buffer.nextFrame().audio.length).toBe(160);
    buffer.pushAudio(bytes(100));
    expect(buffer.nextFrame().audio.length).toBe(160);
    // 100 bytes left: held for up to 3 frames in case the rest of the frame is on its way.
    expect(buffer.nextFrame().audio.length).toBe(0);
    buffer.pushAudio(bytes(60));
    expect(buffer.nextFrame().audio.length).toBe(0);
    expect(buffer.nextFrame().audio.length).toBe(0);
    expect(buffer.nextFrame().audio.length).toBe(160);
  });

  it('plays a short tail once its wait is over', () => {
    const buffer = new PlayoutBuffer(160, 480, 2);
    buffer.pushAudio(bytes(50));
    buffer.pushMark('end');
    expect(buffer.nextFrame().audio.length).toBe(0);
    expect(buffer.nextFrame().audio.length).toBe(0);
    expect(buffer.nextFrame()).toEqual({ audio: bytes(50), marks: [] });
    expect(buffer.nextFrame().marks).toEqual(['end']);
  });
});
