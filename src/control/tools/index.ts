export { archiveTool } from './archive-tool.js';
export { checkJsonSchema } from './check-json-schema.js';
export { createTool } from './create-tool.js';
export { getTool, listTools } from './list-tools.js';
export { findTool, type Tool, toToolSnapshot } from './tool-row.js';
export {
  CreateToolInput,
  DEFAULT_TOOL_RETRY,
  JsonObject,
  TOOL_TIMEOUT_MS,
  ToolName,
  ToolRetry,
  ToolSnapshot,
  UpdateToolInput,
} from './tool-schemas.js';
export { updateTool } from './update-tool.js';
