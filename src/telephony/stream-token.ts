import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A short-lived token that vouches for a call id on the Media Streams socket: the TwiML carries
 * it as a `<Parameter>`, so a socket can only start the call the webhook admitted. It is derived
 * from the call's start time, so a retried webhook gets the same TwiML back.
 */
export class StreamTokens {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly ttlMs: number,
  ) {
    this.key = createHmac('sha256', 'switchboard/media-stream-token').update(secret).digest();
  }

  issue(callId: string, issuedAt: Date): string {
    const expires = issuedAt.getTime() + this.ttlMs;
    return `${expires}.${this.mac(callId, expires)}`;
  }

  verify(callId: string, token: string, now: Date): boolean {
    const [expiresRaw, mac] = token.split('.');
    const expires = Number(expiresRaw);
    if (!mac || !Number.isSafeInteger(expires) || expires < now.getTime()) return false;
    const expected = Buffer.from(this.mac(callId, expires));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private mac(callId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${callId}.${expires}`).digest('base64url');
  }
}
