// Which recorded fixture a request that matched none comes closest to, and where they differ, for the replay 404:
// the same route first, then the same method and path, then the fewest differing JSON leaves of the body.
import { normalizedBody, type Fixture, type FixtureBody } from './fixture';

export interface AskedRequest {
  route: string;
  method: string;
  path: string;
  query: string;
  body: FixtureBody | undefined;
}

export function closestFixture(asked: AskedRequest, fixtures: readonly { file: string; fixture: Fixture }[]): { file: string; difference: string } | undefined {
  let best: { file: string; score: number; difference: string } | undefined;
  for (const { file, fixture } of fixtures) {
    const recorded = fixture.request;
    const differences: string[] = [];
    let score = 0;
    if (fixture.route !== asked.route) {
      score += 1000;
      differences.push(`recorded for route "${fixture.route}"`);
    }
    if (recorded.method !== asked.method || recorded.path !== asked.path || recorded.query !== asked.query) {
      score += 100;
      differences.push(`recorded for ${recorded.method} ${recorded.path}${recorded.query}`);
    }
    const bodyDiff = bodyDifference(recorded.body, asked.body);
    score += bodyDiff.count;
    if (bodyDiff.first) differences.push(bodyDiff.first);
    if (!best || score < best.score) best = { file, score, difference: differences.join('; ') || 'the same request' };
  }
  return best && { file: best.file, difference: best.difference };
}

/** How many JSON leaves differ, and a sentence about the first one. */
function bodyDifference(recorded: FixtureBody | undefined, asked: FixtureBody | undefined): { count: number; first?: string } {
  if (recorded && asked && 'json' in recorded && 'json' in asked) {
    const a = leaves(recorded.json);
    const b = leaves(asked.json);
    const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
    const differing = paths.filter((p) => a.get(p) !== b.get(p));
    const first = differing[0];
    if (first === undefined) return { count: 0 };
    return {
      count: differing.length,
      first: `the body differs at ${first || '(the whole body)'}: recorded ${a.get(first) ?? 'nothing'}, sent ${b.get(first) ?? 'nothing'}`,
    };
  }
  const same = normalizedBody(recorded) === normalizedBody(asked);
  return same ? { count: 0 } : { count: 50, first: 'the body differs' };
}

/** `messages[0].content` -> its JSON text, for every leaf (strings cut to 60 characters for the message). */
function leaves(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) value.forEach((item, i) => leaves(item, `${prefix}[${i}]`, out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) leaves(item, prefix ? `${prefix}.${key}` : key, out);
  } else {
    const text = JSON.stringify(value);
    out.set(prefix, text.length > 60 ? `${text.slice(0, 57)}..."` : text);
  }
  return out;
}
