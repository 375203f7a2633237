import type { voice } from '@livekit/agents';

/**
 * Work-arounds for @livekit/agents 1.9.0 behaviour that costs a long-running phone call memory.
 * Each reaches into one internal field, checks its shape, and does nothing when the shape differs
 * (a newer release that fixed it). Remove each once @livekit/agents no longer tees into an
 * unread VAD branch when `vad` is null.
 */

/** The internal part of `AudioRecognition` this file touches. */
interface AudioRecognitionInternals {
  vad?: unknown;
  vadInputStream?: ReadableStream<unknown>;
}

/**
 * With `vad: null`, `AudioRecognition` still tees every caller frame into a VAD branch that nothing
 * reads (audio_recognition.js, `primaryInputStream.tee()`), so the branch's queue keeps each frame
 * (with the tee's pending read promises) until the call ends: about 6 MB a minute. Cancelling the
 * unread branch makes the tee hand frames to the STT branch only. Returns whether it cancelled one.
 */
export function dropUnreadVadBranch(session: voice.AgentSession): boolean {
  const activity = session._activity as unknown as
    | { audioRecognition?: AudioRecognitionInternals }
    | undefined;
  const recognition = activity?.audioRecognition;
  if (!recognition || recognition.vad !== undefined) return false;
  const branch = recognition.vadInputStream;
  if (!(branch instanceof ReadableStream) || branch.locked) return false;
  branch.cancel('no VAD reads this branch').catch(() => {});
  return true;
}
