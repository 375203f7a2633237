export {
  type CallerEvent,
  type CallerResult,
  CallerScript,
  CallerStep,
  formatCallerEvent,
  runCaller,
  type TranscriptEntry,
} from './caller/index.js';
export { type DeepgramEmulator, startDeepgramEmulator } from './deepgram/index.js';
export { type N8nEmulator, startN8nEmulator } from './n8n/index.js';
export { type OpenAIEmulator, startOpenAIEmulator } from './openai/index.js';
export { type RimeEmulator, startRimeEmulator } from './rime/index.js';
export {
  type AppliedScenario,
  type Sandbox,
  type SandboxOptions,
  type ScenarioCallOptions,
  type ScenarioCallResult,
  type ScenarioWebhook,
  startSandbox,
} from './sandbox.js';
export {
  checkScenarioExpectations,
  loadScenario,
  parseScenario,
  SANDBOX_PACES,
  type SandboxPace,
  type SandboxPaceName,
  Scenario,
  ScenarioLoadError,
  shippedScenarioNames,
} from './scenarios/index.js';
export {
  type EmulatedCall,
  MediaStreamSession,
  newTwilioSid,
  startTwilioEmulator,
  type TwilioEmulator,
  twilioClientForEmulator,
  twilioSignature,
} from './twilio/index.js';
