import { Task, type voice } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';

/**
 * Work-arounds for @livekit/agents 1.9.0 behaviour that costs a long-running phone call memory.
 * Each reaches into one internal field, checks its shape, and does nothing when the shape differs
 * (a newer release that fixed it). Remove each once @livekit/agents no longer tees into an
 * unread VAD branch when `vad` is null, or races every frame read in `readStream`.
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

/** The frame forwarder's internals (audio_recognition.js, `startSttTasks`). */
interface SttForwarding {
  sttInputStream?: ReadableStream<AudioFrame>;
  sttPipeline?: { audioChannel?: { write(frame: AudioFrame): Promise<void> }; inputStartedAt?: number };
  sttForwardTask?: Task<void>;
  forwardInputAudioToStt?: (pipeline: unknown, signal: AbortSignal) => Promise<void>;
}

const patchedForwarders = new WeakSet<object>();
/** STT pipelines whose frames `forwardWithoutRetaining` already forwards. */
const forwardedPipelines = new WeakSet<object>();

/**
 * Reads every caller frame for the STT without keeping it. `AudioRecognition.forwardInputAudioToStt`
 * reads through `readStream(stream, signal)`, which races each read against one promise that settles
 * only when the call ends: every race leaves a reaction on it holding the frame it read, so all the
 * caller's audio stays in memory until then. This reads with a plain reader that the abort releases.
 */
async function forwardWithoutRetaining(
  this: SttForwarding,
  pipeline: NonNullable<SttForwarding['sttPipeline']>,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted || !this.sttInputStream) return;
  forwardedPipelines.add(pipeline);
  const reader = this.sttInputStream.getReader();
  // Releasing the lock rejects the pending read (the chunk stays in the stream for the next reader).
  const release = () => reader.releaseLock();
  signal.addEventListener('abort', release, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || signal.aborted) break;
      pipeline.inputStartedAt ??= Date.now() - (value.samplesPerChannel / value.sampleRate) * 1000;
      await pipeline.audioChannel!.write(value);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    signal.removeEventListener('abort', release);
    if (!signal.aborted) reader.releaseLock();
  }
}

/**
 * Replaces the STT frame forwarder of the session's `AudioRecognition` (its class, for the calls
 * after this one, and the task already running for this call) with one that holds no frame it has
 * passed on. Returns whether it replaced the running task.
 */
export function forwardSttWithoutRetainingFrames(session: voice.AgentSession): boolean {
  const activity = session._activity as unknown as { audioRecognition?: SttForwarding } | undefined;
  const recognition = activity?.audioRecognition;
  const proto = recognition ? (Object.getPrototypeOf(recognition) as SttForwarding) : undefined;
  if (!recognition || !proto || typeof proto.forwardInputAudioToStt !== 'function') return false;
  if (!patchedForwarders.has(proto)) {
    patchedForwarders.add(proto);
    proto.forwardInputAudioToStt = forwardWithoutRetaining as SttForwarding['forwardInputAudioToStt'];
  }
  const running = recognition.sttForwardTask;
  const pipeline = recognition.sttPipeline;
  if (!(running instanceof Task) || !pipeline?.audioChannel || running.done) return false;
  if (forwardedPipelines.has(pipeline)) return false;
  // The running task was started with the original forwarder: stop it and start ours in its place.
  running.cancel();
  const replacement = Task.from(({ signal }) =>
    running.result.catch(() => {}).then(() => forwardWithoutRetaining.call(recognition, pipeline, signal)),
  );
  replacement.result.catch(() => {});
  recognition.sttForwardTask = replacement;
  return true;
}
