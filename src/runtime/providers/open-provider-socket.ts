import { APIConnectionError, APIStatusError, APITimeoutError } from '@livekit/agents';
import WebSocket from 'ws';

/**
 * Opens a provider's streaming socket, turning a refused handshake or a network failure into the
 * framework's API errors so that its retry policy (APIConnectOptions) applies.
 */
export function openProviderSocket(
  url: URL,
  options: { provider: string; authorization: string; connectTimeoutMs?: number },
): Promise<WebSocket> {
  const ws = new WebSocket(url, {
    headers: { authorization: options.authorization },
    handshakeTimeout: options.connectTimeoutMs ?? 10_000,
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(
        new APIStatusError({
          message: `${options.provider} refused the socket`,
          options: { statusCode: res.statusCode ?? -1 },
        }),
      );
    });
    ws.once('error', (err) => {
      reject(
        /timeout/i.test(err.message)
          ? new APITimeoutError({ message: `${options.provider} socket timed out` })
          : new APIConnectionError({ message: `${options.provider} socket failed` }),
      );
    });
  });
}
