import type { Logger } from 'pino';

// @livekit/agents keeps one process-wide logger under these global symbols (see its log_core.ts)
// and throws if none was set. Its own initializeLogger() writes to stdout; setting the slot
// directly routes the framework's logs into ours, with our redaction and level.
const LOGGER_KEY = Symbol.for('@livekit/agents:logger');
const LOGGER_OPTIONS_KEY = Symbol.for('@livekit/agents:loggerOptions');

type AgentsLoggerSlots = {
  [LOGGER_KEY]?: Logger;
  [LOGGER_OPTIONS_KEY]?: { pretty: boolean; level?: string };
};

/** Gives the LiveKit agents framework a logger (a child of `log`), unless it has one already. */
export function installAgentsLogger(log: Logger): void {
  const slots = globalThis as typeof globalThis & AgentsLoggerSlots;
  if (slots[LOGGER_KEY]) return;
  slots[LOGGER_OPTIONS_KEY] = { pretty: false, level: log.level };
  slots[LOGGER_KEY] = log.child({ component: 'livekit-agents' });
}
