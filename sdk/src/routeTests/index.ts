// Route tests: the engine behind `ai-gateway-cli test` and the editor's Testing view.
export { routeTestCases, runRouteTest, runRouteTests, requestPath } from './runRouteTests';
export type { RunOptions } from './runRouteTests';
export { checkExpectations } from './checkExpectations';
export type { ObservedResponse } from './checkExpectations';
export { valueAtJsonPath, parseJsonPath } from './jsonPath';
export { toJUnitXml } from './junit';
export type { RouteTestCase, RouteTestResult, ExpectationFailure } from './types';
