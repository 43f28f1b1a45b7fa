import { strict as assert } from 'node:assert';
import { loadConfig, formatDiagnostic, type Diagnostic } from '../../common/src/config';

/** `LINE:COL-LINE:COL code: message` (1-based, as `validate` counts) for each diagnostic. */
const report = (text: string): string[] =>
  loadConfig(text, { env: {} }).diagnostics.map(
    (d: Diagnostic) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.code}: ${d.message}`,
  );

const ROUTE = 'routes:\n  - path: /a\n    target: mock://openai\nsecurity:\n  - endpoint: /a\n    auth: none\n';

describe('config model: messages and ranges', () => {
  it('refuses a rate of zero in every form, as the runtime would drop it', () => {
    for (const limit of ['0', '0/min', '00/s', '{ requests: 0/min }', '{ requests: 10/min, tokens: 0/day }']) {
      const diagnostics = loadConfig(`${ROUTE}    rateLimit: ${limit}\n`, { env: {} }).diagnostics;
      assert.equal(diagnostics.length, 1, `${limit}: ${JSON.stringify(diagnostics)}`);
      assert.equal(diagnostics[0]?.severity, 'error');
      assert.match(diagnostics[0]?.message ?? '', /is not a rate( limit)?: use .*above 0/);
    }
    assert.deepEqual(report(`${ROUTE}    rateLimit: 10/min\n`), []);
  });

  it('says what is wrong inside a rate-limit mapping, once per mistake, without the schema pattern', () => {
    assert.deepEqual(report(`${ROUTE}    rateLimit: { requests: 10/week, by: user }\n`), [
      '7:28-7:35 schema.format: "10/week" is not a rate: use a whole number above 0 (per minute) or N/s, N/min, N/hour, N/day with N above 0.',
      '7:41-7:45 schema.enum: "user" is not a valid "by": expected one of consumer, ip, route.',
    ]);
    // A scalar that fits no form still gets the one message of the whole key.
    assert.deepEqual(report(`${ROUTE}    rateLimit: lots\n`), [
      '7:16-7:20 schema.format: "lots" is not a rate limit: use a count above 0, like 100 (per minute), 100/min, 10/s, 5000/hour, 1000/day, or { requests, tokens, by }.',
    ]);
  });

  it('reports an unclosed quote at the quote', () => {
    assert.deepEqual(report('routes:\n  - path: "/a\n    target: mock://openai\n'), [
      '2:11-2:14 yaml.unclosedQuote: This " quote is never closed, so the value runs on to the end of the file. Add the closing ".',
    ]);
  });

  it('names a duplicate key and spans it', () => {
    assert.deepEqual(report('routes:\n  - path: /a\n    target: mock://openai\n    path: /b\n'), [
      '4:5-4:9 yaml.duplicateKey: Duplicate key "path": this mapping already sets "path" on line 2. Keep one of them.',
    ]);
  });

  it('explains bad indentation on the line that is indented wrong, too far or not far enough', () => {
    assert.deepEqual(report('routes:\n  - path: /a\n     target: mock://openai\n'), [
      '3:6-3:12 yaml.indentation: Bad indentation: "target" is indented 5 spaces, but the key above it is indented 4 spaces. The keys of one mapping start in the same column.',
    ]);
    assert.deepEqual(report('gateway:\n  listen: :8080\n logLevel: info\n'), [
      '3:2-3:10 yaml.indentation: Bad indentation: "logLevel" is indented 1 space, but the key above it is indented 2 spaces. The keys of one mapping start in the same column.',
    ]);
    assert.deepEqual(report('routes:\n  - path: /a\n    target: mock://openai\n   methods: [GET]\n'), [
      '4:4-4:11 yaml.indentation: Bad indentation: "methods" is indented 3 spaces, but the key above it is indented 4 spaces. The keys of one mapping start in the same column.',
    ]);
    assert.deepEqual(report('gateway:\n\tlisten: :8080\n'), ['2:1-2:2 yaml.indentation: Tabs cannot indent YAML: indent with spaces.']);
  });

  it('writes the other syntax mistakes out too: a missing colon, a key: value value, an unclosed list', () => {
    assert.deepEqual(report('routes:\n  - path /a\n    target: x\n'), [
      '2:5-2:12 yaml.missingColon: "path /a" is not a "key: value" pair: put ": " after the key.',
    ]);
    assert.deepEqual(report('gateway: listen: :8080\n'), [
      '1:10-1:23 yaml.nestedOnOneLine: A value cannot be another "key: value" on the same line ("listen: :8080"): put it on its own line below, indented, or quote it.',
    ]);
    assert.deepEqual(report('routes:\n  - path: /a\n    methods: [GET, POST\n    target: x\n'), [
      '3:14-3:15 yaml.unclosedFlow: This "[" is never closed: end the list with "]".',
    ]);
    for (const line of report('a: [x, "y\nb: { c: d\n')) assert.doesNotMatch(line, /at line|column \d/);
  });

  it('reports a missing route path once, on the first line of the route, with no follow-on error', () => {
    const text = 'routes:\n  - name: chat\n    methods: [POST]\n    target: mock://openai\nsecurity:\n  - endpoint: /v1/chat\n    auth: none\n';
    assert.deepEqual(report(text), ['2:5-2:9 schema.required: Missing required key "path" in "routes".']);
    // With the path back, a wrong endpoint is an error again.
    const fixed = text.replace('  - name: chat\n', '  - name: chat\n    path: /v1/chats\n');
    assert.deepEqual(
      loadConfig(fixed, { env: {} })
        .diagnostics.filter((d) => d.severity === 'error')
        .map((d) => formatDiagnostic('f', d)),
      ['f:7:15: error: Security endpoint "/v1/chat" matches no route, so it protects nothing. Did you mean "/v1/chats"? [security.unknownEndpoint]'],
    );
  });
});
