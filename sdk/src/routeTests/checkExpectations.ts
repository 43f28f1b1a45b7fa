// Compares one response with a route test's `expect` block. Pure: the caller made the request.
import { isDeepStrictEqual } from 'node:util';
import type { RouteTestExpect } from '../../../common/src/config';
import type { Guardrails } from '../../../common/src/protocol';
import { checkGuardrailExpectation } from './guardrailExpectation';
import { valueAtJsonPath } from './jsonPath';
import type { ExpectationFailure } from './types';

export interface ObservedResponse {
  status: number;
  headers: Record<string, string>; // lower-case names
  body: string;
  durationMs: number;
  /** The guardrail verdicts of the gateway's trace; undefined when the runner could not ask for one (no admin key). */
  verdicts?: Guardrails.Verdict[];
}

function show(value: unknown): string {
  return value === undefined ? '(missing)' : JSON.stringify(value);
}

function parseJson(body: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(body) as unknown };
  } catch (err) {
    return { error: `the body is not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
}

export function checkExpectations(expect: RouteTestExpect, response: ObservedResponse): ExpectationFailure[] {
  const failures: ExpectationFailure[] = [];
  const fail = (expectation: string, expected: string, actual: string, message: string): void => {
    failures.push({ expectation, expected, actual, message });
  };
  if (expect.status !== undefined && expect.status !== response.status) {
    fail('status', String(expect.status), String(response.status), `expected status ${expect.status}, got ${response.status}`);
  }
  for (const [name, expected] of Object.entries(expect.headers ?? {})) {
    const actual = response.headers[name.toLowerCase()];
    if (actual !== expected) {
      fail(`header ${name}`, expected, actual ?? '(missing)', `expected header ${name}: ${expected}, got ${actual ?? 'no such header'}`);
    }
  }
  const needsJson = Object.keys(expect.json ?? {}).length + Object.keys(expect.contains ?? {}).length > 0;
  const parsed = needsJson ? parseJson(response.body) : {};
  if (parsed.error) fail('json', 'a JSON body', response.body.slice(0, 200), parsed.error);
  else {
    for (const [path, expected] of Object.entries(expect.json ?? {})) {
      const actual = valueAtJsonPath(parsed.value, path);
      if (!isDeepStrictEqual(actual, expected)) {
        fail(`json ${path}`, show(expected), show(actual), `expected ${path} to equal ${show(expected)}, got ${show(actual)}`);
      }
    }
    for (const [path, substring] of Object.entries(expect.contains ?? {})) {
      const actual = valueAtJsonPath(parsed.value, path);
      const text = typeof actual === 'string' ? actual : JSON.stringify(actual);
      if (text === undefined || !text.includes(substring)) {
        fail(`contains ${path}`, `…${substring}…`, show(actual), `expected ${path} to contain "${substring}", got ${show(actual)}`);
      }
    }
  }
  if (expect.maxLatencyMs !== undefined && response.durationMs > expect.maxLatencyMs) {
    fail(
      'maxLatencyMs',
      `<= ${expect.maxLatencyMs} ms`,
      `${Math.round(response.durationMs)} ms`,
      `expected a response within ${expect.maxLatencyMs} ms, took ${Math.round(response.durationMs)} ms`,
    );
  }
  if (expect.guardrail !== undefined) {
    const failure = checkGuardrailExpectation(expect.guardrail, response);
    if (failure) fail('guardrail', failure.expected, failure.actual, failure.message);
  }
  return failures;
}
