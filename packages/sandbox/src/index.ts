/**
 * The sandbox's one entry point: offline emulators of Twilio, Deepgram, OpenAI, Rime and n8n, the
 * simulated caller and the shipped scenarios. The product imports it only where it starts the sandbox
 * (sandbox mode, sandbox calls, seeded demo calls) and in tests.
 */
export * from './audio/index.js';
export * from './caller/index.js';
export * from './deepgram/index.js';
export * from './n8n/index.js';
export * from './openai/index.js';
export * from './rime/index.js';
export * from './sandbox.js';
export * from './scenarios/index.js';
export * from './twilio/index.js';
