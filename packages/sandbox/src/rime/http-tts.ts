import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SpeechPace } from '../audio/index.js';
import { encodeAudio, formatFromAccept, type ResponseFormat, wavHeader } from './audio-format.js';
import type { RimeFaults } from './faults.js';
import { appliesTo, type RimeRequestRecord } from './key-state.js';
import { parseTtsRequest } from './tts-request.js';
import { synthesizeUtterance } from './utterance-audio.js';

export interface HttpTtsContext {
  faults: RimeFaults;
  record: RimeRequestRecord;
  chunkMs: number;
  paddingMs: number;
  pace: SpeechPace | undefined;
}

/** `POST /v1/rime-tts`: the text as tone speech in the format `Accept` names, streamed in chunks. */
export async function handleHttpTts(
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  context: HttpTtsContext,
): Promise<void> {
  const { faults, record } = context;
  if (faults.serverError && appliesTo(record.n, faults.serverError.firstRequests)) {
    return sendText(res, record, faults.serverError.status, 'Internal Server Error');
  }
  const accepted = formatFromAccept(req.headers.accept);
  if (!accepted.ok) return sendText(res, record, 400, accepted.message);
  const parsed = parseTtsRequest(body);
  if (!parsed.ok) return sendText(res, record, 400, parsed.message);
  const { request, samplingRate } = parsed;
  const { format } = accepted;
  Object.assign(record, {
    modelId: request.modelId,
    speaker: request.speaker,
    ...(request.lang ? { lang: request.lang } : {}),
    format: format.format,
    samplingRate,
  });

  const delayMs = faults.firstByteDelayMs ?? 0;
  if (delayMs > 0 && !(await waitWhileConnected(res, delayMs))) return;
  record.texts.push(request.text);
  record.characters += request.text.length;
  const chunks = audioChunks(request.text, samplingRate, format, context);
  res.writeHead(200, { 'content-type': format.contentType });
  record.status = 200;
  const dropAfter =
    faults.dropMidStream && appliesTo(record.n, faults.dropMidStream.firstRequests)
      ? faults.dropMidStream.afterBytes
      : undefined;
  for (const chunk of chunks) {
    if (isGone(res)) return;
    const room = dropAfter === undefined ? chunk.length : Math.max(0, dropAfter - record.audioBytes);
    const part = chunk.subarray(0, room);
    if (part.length > 0) {
      await write(res, part);
      record.audioBytes += part.length;
    }
    if (part.length < chunk.length) {
      res.socket?.destroy();
      return;
    }
    // Let each chunk leave as its own piece of the chunked body.
    await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}

function audioChunks(
  text: string,
  sampleRate: number,
  format: ResponseFormat,
  context: HttpTtsContext,
): Buffer[] {
  const { pcm } = synthesizeUtterance(text, sampleRate, context.paddingMs, context.pace);
  const samplesPerChunk = Math.max(1, Math.round((context.chunkMs * sampleRate) / 1000));
  const chunks: Buffer[] = format.format === 'wav' ? [wavHeader(sampleRate)] : [];
  const encoding = format.format === 'mulaw' ? 'mulaw' : 'pcm';
  for (let i = 0; i < pcm.length; i += samplesPerChunk) {
    chunks.push(encodeAudio(pcm.subarray(i, i + samplesPerChunk), encoding));
  }
  return chunks;
}

export function sendText(
  res: ServerResponse,
  record: RimeRequestRecord | undefined,
  status: number,
  text: string,
): void {
  if (record) record.status = status;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function write(res: ServerResponse, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    res.write(data, () => resolve());
  });
}

function isGone(res: ServerResponse): boolean {
  return res.destroyed || res.socket === null || res.socket.destroyed;
}

function waitWhileConnected(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!isGone(res));
    }, ms);
    res.once('close', onClose);
  });
}
