export { getNumber, listNumbers } from './list-numbers.js';
export type { PhoneNumber } from './number-row.js';
export { type RegisterNumberInput, registerNumber } from './register-number.js';
export { releaseNumber } from './release-number.js';
export { type NumberResolution, resolveNumber } from './resolve-number.js';
export type { TwilioNumber, TwilioSettings } from './twilio-account.js';
export {
  type AccountNumber,
  getVoiceWebhook,
  type ImportedNumber,
  type ImportNumbersInput,
  importTwilioNumbers,
  listAccountNumbers,
  setVoiceWebhook,
  type VoiceWebhookState,
} from './twilio-numbers.js';
export { type UpdateNumberInput, updateNumber } from './update-number.js';
