// The route-test engine shared by `ai-gateway-cli test` and the editor's Testing view: sends each route's
// `tests:` requests to a running gateway and checks the answers. Requests go out one at a time, in file order.
import type { GatewayConfig, RouteConfig, RouteTest } from '../../../common/src/config';
import { Admin, RequestTrace, type Guardrails } from '../../../common/src/protocol';
import { checkExpectations } from './checkExpectations';
import type { RouteTestCase, RouteTestResult } from './types';

export interface RunOptions {
  /** Base URL of the gateway, e.g. http://127.0.0.1:8080. */
  gatewayUrl: string;
  /** Per-request budget; a test that takes longer fails with an error. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called as each result is known, so callers can report progressively. */
  onResult?: (result: RouteTestResult) => void;
  /**
   * The gateway's admin key: requests are sent for a trace, so `expect.guardrail` can check redactions and flags
   * (a refusal it can read from the answer alone). `adminUrl`: where its admin API is (default `gatewayUrl`).
   */
  adminKey?: string;
  adminUrl?: string;
}

export function routeTestCases(config: GatewayConfig): RouteTestCase[] {
  return config.routes.flatMap((route) => route.tests.map((test) => caseOf(route, test)));
}

function caseOf(route: RouteConfig, test: RouteTest): RouteTestCase {
  return { route: route.name, routePath: route.path, routeMethods: route.methods, test };
}

/** A route path with `*` or `:param` in it is not a URL: tests on such routes must give their own `path`. */
export function requestPath(testCase: RouteTestCase): string {
  const path = testCase.test.path ?? testCase.routePath;
  if (/[*:]/.test(path)) {
    throw new Error(`route "${testCase.route}" has the pattern ${testCase.routePath}: test "${testCase.test.name}" needs a concrete "path"`);
  }
  return path;
}

function requestMethod(testCase: RouteTestCase): string {
  return (testCase.test.method ?? testCase.routeMethods?.[0] ?? (testCase.test.body === undefined ? 'GET' : 'POST')).toUpperCase();
}

export async function runRouteTest(testCase: RouteTestCase, options: RunOptions): Promise<RouteTestResult> {
  const method = requestMethod(testCase);
  let url = '';
  const started = performance.now();
  const base = { route: testCase.route, test: testCase.test.name };
  try {
    url = new URL(requestPath(testCase), options.gatewayUrl).toString();
    const headers: Record<string, string> = { ...testCase.test.headers };
    if (options.adminKey) Object.assign(headers, { [RequestTrace.traceRequestHeader]: '1', [RequestTrace.adminKeyHeader]: options.adminKey });
    let body: string | undefined;
    if (testCase.test.body !== undefined) {
      body = typeof testCase.test.body === 'string' ? testCase.test.body : JSON.stringify(testCase.test.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    const response = await fetch(url, {
      method,
      headers,
      body,
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    const text = await response.text();
    const durationMs = performance.now() - started;
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => (responseHeaders[name] = value));
    const verdicts = options.adminKey ? await guardrailVerdicts(responseHeaders, options, timeout) : undefined;
    const failures = checkExpectations(testCase.test.expect, { status: response.status, headers: responseHeaders, body: text, durationMs, verdicts });
    return { ...base, passed: failures.length === 0, failures, status: response.status, durationMs, request: { method, url } };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    const error = `${err instanceof Error ? err.message : String(err)}${cause}`;
    return { ...base, passed: false, failures: [], error, durationMs: performance.now() - started, request: { method, url } };
  }
}

/**
 * What the route's guardrails did: the kept trace of the request (it has the answer's verdicts too, which a streamed
 * answer's trace header cannot), else the trace header's entries.
 */
async function guardrailVerdicts(headers: Record<string, string>, options: RunOptions, signal: AbortSignal): Promise<Guardrails.Verdict[] | undefined> {
  const of = (entries: RequestTrace.Entry[]): Guardrails.Verdict[] => entries.flatMap((entry) => (entry.guardrail ? [entry.guardrail] : []));
  const requestId = headers['x-request-id'];
  if (requestId) {
    const url = new URL(`${Admin.basePath}/traces/${encodeURIComponent(requestId)}`, options.adminUrl ?? options.gatewayUrl);
    const answer = await fetch(url, { headers: { authorization: `Bearer ${options.adminKey}` }, signal }).catch(() => undefined);
    if (answer?.ok) return of(((await answer.json()) as RequestTrace.Record).entries);
  }
  const header = headers[RequestTrace.traceResponseHeader];
  if (!header) return undefined;
  try {
    return of(JSON.parse(header) as RequestTrace.Entry[]);
  } catch {
    return undefined;
  }
}

export async function runRouteTests(cases: RouteTestCase[], options: RunOptions): Promise<RouteTestResult[]> {
  const results: RouteTestResult[] = [];
  for (const testCase of cases) {
    if (options.signal?.aborted) break;
    const result = await runRouteTest(testCase, options);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}
