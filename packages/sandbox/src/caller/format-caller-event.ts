import type { CallerEvent } from './run-caller.js';

/** One line for a human following the call (the CLI prints these); undefined for internal events. */
export function formatCallerEvent(event: CallerEvent): string | undefined {
  switch (event.type) {
    case 'caller-said':
      return `${at(event.entry.startMs)} caller: ${event.entry.text}${event.entry.bargeIn ? '  (barge-in)' : ''}`;
    case 'agent-said':
      return `${at(event.entry.startMs)} agent:  ${event.entry.text}${event.entry.interrupted ? '  (interrupted)' : ''}`;
    case 'dtmf':
      return `${at(event.atMs)} caller pressed ${event.digit}`;
    case 'clear':
      return `${at(event.atMs)} agent cleared its audio (${Math.round(event.droppedBytes / 8)} ms unplayed)`;
    case 'failed':
      return `${at(event.atMs)} step ${event.failure.stepIndex + 1} failed: ${event.failure.message}`;
    case 'ended':
      return `${at(event.atMs)} call ended by ${event.end.endedBy} (${event.end.detail})`;
    default:
      return undefined;
  }
}

function at(ms: number): string {
  return `[${(ms / 1000).toFixed(2).padStart(6)}s]`;
}
