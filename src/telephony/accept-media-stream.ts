import type WebSocket from 'ws';
import { parseStreamMessage, type StreamStart } from './media-stream-messages.js';

/**
 * Waits for the `start` message of a new Media Streams socket (after `connected`). Rejects when the
 * socket closes first or nothing arrives in time. Messages after `start` are left to the caller.
 */
export function acceptMediaStream(ws: WebSocket, timeoutMs = 10_000): Promise<StreamStart> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error('no start message')), timeoutMs);
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return;
      const message = parseStreamMessage(data.toString());
      if (message?.event === 'start') done(message.start);
    };
    const onClose = () => done(new Error('socket closed before start'));
    const done = (result: StreamStart | Error) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    ws.on('message', onMessage);
    ws.on('close', onClose);
  });
}
