export { checkScenarioExpectations, type ObservedCall } from './check-expectations.js';
export {
  loadScenario,
  parseScenario,
  type ScenarioIssue,
  ScenarioLoadError,
  type ScenarioParseResult,
  shippedScenarioNames,
} from './load-scenario.js';
export {
  Scenario,
  ScenarioExpect,
  ScenarioFaults,
  type ScenarioInput,
  ScenarioWorkflow,
} from './scenario.js';
