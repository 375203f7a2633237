import type { IncomingMessage } from 'node:http';

export interface Credentials {
  key: string;
  scheme: 'token' | 'bearer';
  /** Set when the key came in `Sec-WebSocket-Protocol` (browsers); the server must echo it. */
  subprotocol?: 'token' | 'bearer';
}

/** `Authorization: Token|Bearer <key>`, or `Sec-WebSocket-Protocol: token, <key>` (or `bearer, <token>`). */
export function credentialsFrom(req: IncomingMessage): Credentials | undefined {
  const header = /^(token|bearer)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (header) return { key: header[2]!, scheme: header[1]!.toLowerCase() as Credentials['scheme'] };
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  for (let i = 0; i + 1 < protocols.length; i++) {
    const scheme = protocols[i]!.toLowerCase();
    if ((scheme === 'token' || scheme === 'bearer') && protocols[i + 1]) {
      return { key: protocols[i + 1]!, scheme, subprotocol: scheme };
    }
  }
  return undefined;
}
