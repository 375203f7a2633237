import type { EmulatedCall } from '../twilio/call.js';
import type { MediaStreamSession } from '../twilio/media-stream-session.js';

/** Who ended the call, from the caller's point of view. */
export interface CallerEnd {
  endedBy: 'caller' | 'agent' | 'error';
  detail: string;
}

/** What the simulated caller needs from a call: its media stream, a way to hang up, and its end. */
export interface CallerLine {
  session: MediaStreamSession;
  hangup(): Promise<unknown>;
  /** Resolves once the whole call is over (a stream can close while TwiML goes on). */
  ended: Promise<CallerEnd>;
}

export function lineFromCall(call: EmulatedCall, session: MediaStreamSession): CallerLine {
  return {
    session,
    hangup: () => call.hangup(),
    ended: call.ended.then((end) => ({
      endedBy: end.endedBy === 'caller' ? 'caller' : end.endedBy === 'error' ? 'error' : 'agent',
      detail: end.detail,
    })),
  };
}

/** A bare media stream: the application closing the socket is the agent hanging up. */
export function lineFromSession(session: MediaStreamSession): CallerLine {
  return {
    session,
    hangup: () => session.stop('caller hung up'),
    ended: session.ended.then((end) => ({
      endedBy: end.by === 'twilio' ? 'caller' : end.by === 'server' ? 'agent' : 'error',
      detail: end.reason,
    })),
  };
}
