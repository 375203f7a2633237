import type { N8nResponse, N8nWorkflowScript } from './workflow-script.js';

/** The response a script gives to call number `callNumber` (1-based). */
export function scriptResponseFor(script: N8nWorkflowScript, callNumber: number): N8nResponse {
  let last = 0;
  for (const step of script.first) {
    last += step.times;
    if (callNumber <= last) return step.respond;
  }
  return script.otherwise;
}
