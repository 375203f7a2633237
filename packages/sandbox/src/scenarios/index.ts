export { checkScenarioExpectations, type ObservedCall } from './check-expectations.js';
export {
  loadScenario,
  parseScenario,
  type ScenarioIssue,
  ScenarioLoadError,
  type ScenarioParseResult,
  shippedScenarioNames,
} from './load-scenario.js';
export { SANDBOX_PACES, type SandboxPace, type SandboxPaceName } from './sandbox-pace.js';
export {
  Scenario,
  ScenarioExpect,
  ScenarioFaults,
  type ScenarioInput,
  ScenarioWorkflow,
} from './scenario.js';
