import { timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '../lib/result.js';
import type { SecretBox } from '../lib/secrets.js';

/** How long a signed recording link works. */
export const RECORDING_LINK_TTL_MS = 5 * 60_000;

export interface RecordingLink {
  tenantId: string;
  callId: string;
  /** The user or API key the link was issued to. */
  viewer: string;
  /** Expiry, ms since the epoch. */
  expires: number;
}

export type LinkCheck = Result<void, 'expired' | 'bad_signature'>;

const payload = (link: RecordingLink) =>
  ['recording', link.tenantId, link.callId, link.viewer, String(link.expires)].join('\n');

export function signRecordingLink(secrets: SecretBox, link: RecordingLink): string {
  return secrets.mac('recording-link', payload(link));
}

/**
 * The playback path of a call's recording, signed for one viewer and a few minutes: what an
 * `<audio>` element (which cannot send headers) is given. Nothing in it is guessable without the key.
 */
export function recordingLink(
  secrets: SecretBox,
  link: Omit<RecordingLink, 'expires'>,
  now: Date,
  ttlMs = RECORDING_LINK_TTL_MS,
): { url: string; expiresAt: Date } {
  const expires = now.getTime() + ttlMs;
  const signature = signRecordingLink(secrets, { ...link, expires });
  const query = new URLSearchParams({ viewer: link.viewer, expires: String(expires), signature });
  return {
    url: `/api/tenants/${link.tenantId}/calls/${link.callId}/recording/signed?${query}`,
    expiresAt: new Date(expires),
  };
}

/** Checks a signed link: right signature for this tenant, call and viewer, and not expired. */
export function checkRecordingLink(
  secrets: SecretBox,
  link: RecordingLink,
  signature: string,
  now: Date,
  ttlMs = RECORDING_LINK_TTL_MS,
): LinkCheck {
  const expected = Buffer.from(signRecordingLink(secrets, link));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return err('bad_signature');
  }
  // A link that claims to outlive its TTL was not issued by us (or the clock moved far back).
  if (link.expires <= now.getTime() || link.expires > now.getTime() + ttlMs) {
    return err('expired');
  }
  return ok(undefined);
}
