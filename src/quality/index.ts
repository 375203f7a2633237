export { contentHash, stableJson, suiteHash } from './config-hash.js';
export { evaluateCase, matchesPattern, type ObservedTestCall } from './evaluate-case.js';
export { checkPublishGate, type PublishGateDecision, type PublishGateInput } from './publish-gate.js';
export {
  createTestRunner,
  getTestRun,
  listTestRuns,
  type RunTarget,
  type TestCallPlacer,
  type TestResult,
  type TestRun,
  type TestRunDetail,
  type TestRunner,
} from './run-suite.js';
export { resolveCallTarget, setTestCallTarget, type TestCallTarget } from './test-call-target.js';
export {
  caseScenario,
  caseScenarioForValidation,
  type TestCase,
  TestCaseName,
  TestCaseSpec,
  TestExpect,
} from './test-case.js';
export {
  type CreateTestCaseInput,
  createTestCase,
  createTestCaseFromCall,
  deleteTestCase,
  getTestCase,
  listTestCases,
  type TestCaseRevision,
  testCaseHistory,
  updateTestCase,
} from './test-cases.js';
