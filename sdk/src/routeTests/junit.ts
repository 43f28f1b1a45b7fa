// JUnit XML for route test results, the format CI systems read (one testsuite per route).
import type { RouteTestResult } from './types';

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

export function toJUnitXml(results: RouteTestResult[], suiteName = 'ai-gateway route tests'): string {
  const byRoute = new Map<string, RouteTestResult[]>();
  for (const result of results) byRoute.set(result.route, [...(byRoute.get(result.route) ?? []), result]);
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const suites = [...byRoute].map(([route, list]) => {
    const failures = list.filter((r) => !r.passed && !r.error).length;
    const errors = list.filter((r) => r.error).length;
    const time = list.reduce((sum, r) => sum + r.durationMs, 0);
    const cases = list.map((r) => {
      const open = `    <testcase classname="${escapeXml(route)}" name="${escapeXml(r.test)}" time="${seconds(r.durationMs)}"`;
      if (r.error) return `${open}>\n      <error message="${escapeXml(r.error)}"/>\n    </testcase>`;
      if (r.passed) return `${open}/>`;
      const detail = r.failures.map((f) => `${f.expectation}: expected ${f.expected}, actual ${f.actual}`).join('\n');
      return `${open}>\n      <failure message="${escapeXml(r.failures[0]?.message ?? 'failed')}">${escapeXml(detail)}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="${escapeXml(route)}" tests="${list.length}" failures="${failures}" errors="${errors}" time="${seconds(time)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const total = results.length;
  const failed = results.filter((r) => !r.passed && !r.error).length;
  const errored = results.filter((r) => r.error).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${escapeXml(suiteName)}" tests="${total}" failures="${failed}" errors="${errored}">\n${suites.join('\n')}\n</testsuites>\n`;
}
