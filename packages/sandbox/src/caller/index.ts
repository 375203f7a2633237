export { type CallerEnd, type CallerLine, lineFromCall, lineFromSession } from './caller-line.js';
export { formatCallerEvent } from './format-caller-event.js';
export { describeMatch, findAgentSpeech } from './match-agent-speech.js';
export {
  type CallerEvent,
  type CallerFailure,
  type CallerOptions,
  type CallerResult,
  runCaller,
  runCallerOnLine,
  type TranscriptEntry,
} from './run-caller.js';
export { AgentSaidMatch, CallerScript, type CallerScriptInput, CallerStep } from './script.js';
