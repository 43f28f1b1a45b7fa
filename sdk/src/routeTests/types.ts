// What a route test run produces: one result per `tests:` entry, with each failed expectation spelled out
// (expected vs actual) so the editor can show a diff and the CLI a readable line and JUnit XML.
import type { RouteTest } from '../../../common/src/config';

export interface ExpectationFailure {
  /** Which expectation: "status", "header x-foo", "json choices[0].message.role", "contains ...", "maxLatencyMs". */
  expectation: string;
  expected: string;
  actual: string;
  message: string;
}

export interface RouteTestResult {
  route: string;
  test: string;
  passed: boolean;
  failures: ExpectationFailure[];
  /** Set when the request itself could not be made (connection refused, timeout). */
  error?: string;
  status?: number;
  durationMs: number;
  request: { method: string; url: string };
}

export interface RouteTestCase {
  route: string;
  routePath: string;
  routeMethods?: string[];
  test: RouteTest;
}
