import { strict as assert } from 'node:assert';
import type { CompletionItem, TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createLanguageService } from '../../server/src/service/languageService';
import { at } from './caretFixture';

const service = createLanguageService({ env: {} });

function complete(fixture: string): { items: CompletionItem[]; after: (label: string) => string } {
  const { document, position } = at(fixture);
  const items = service.doComplete(document, position).items;
  const after = (label: string) => {
    const item = items.find((i) => i.label === label);
    assert.ok(item?.textEdit, `${label} is offered with an edit`);
    return TextDocument.applyEdits(document, [item.textEdit as TextEdit]);
  };
  return { items, after };
}
const labels = (items: CompletionItem[]) => items.map((i) => i.label);

function hover(fixture: string): string {
  const { document, position } = at(fixture);
  const result = service.doHover(document, position);
  return (result?.contents as { value: string } | undefined)?.value ?? '';
}

describe('language service: completion inside inline collections', () => {
  it('offers the values of "by" inside a rate-limit mapping, with edits that keep the braces', () => {
    const { items, after } = complete('security:\n  - endpoint: /a\n    rateLimit: { requests: 10/min, by: | }\n');
    assert.deepEqual(labels(items), ['consumer', 'ip', 'route']);
    assert.equal(after('ip'), 'security:\n  - endpoint: /a\n    rateLimit: { requests: 10/min, by: ip }\n');
    const typed = complete('security:\n  - endpoint: /a\n    rateLimit: { requests: 10/min, by: co| }\n');
    assert.equal(typed.after('consumer'), 'security:\n  - endpoint: /a\n    rateLimit: { requests: 10/min, by: consumer }\n');
  });

  it('offers rate forms for requests, and the keys not yet written, inside the braces', () => {
    assert.ok(labels(complete('security:\n  - endpoint: /a\n    rateLimit: { requests: | }\n').items).includes('100/min'));
    const keys = complete('security:\n  - endpoint: /a\n    rateLimit: { requests: 10/min, | }\n');
    assert.deepEqual(labels(keys.items).sort(), ['by', 'defaultMaxTokens', 'tokenEstimate', 'tokens']);
    assert.equal(keys.after('by'), 'security:\n  - endpoint: /a\n    rateLimit: { requests: 10/min, by:  }\n');
  });

  it('offers the remaining keys of an inline health check', () => {
    const { items, after } = complete('routes:\n  - path: /a\n    healthCheck: { path: /h, | }\n');
    assert.deepEqual(labels(items), ['interval', 'timeout', 'healthyThreshold', 'unhealthyThreshold']);
    assert.equal(after('interval'), 'routes:\n  - path: /a\n    healthCheck: { path: /h, interval:  }\n');
    assert.deepEqual(labels(complete('routes:\n  - path: /a\n    healthCheck: { path: /h, in| }\n').items), [
      'interval',
      'timeout',
      'healthyThreshold',
      'unhealthyThreshold',
    ]);
  });

  it("offers the schema's values in an inline list and for `- ` items, leaving out those already there", () => {
    const methods = complete('routes:\n  - path: /a\n    methods: [ | ]\n');
    assert.deepEqual(labels(methods.items), ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
    assert.equal(methods.after('POST'), 'routes:\n  - path: /a\n    methods: [ POST ]\n');
    assert.ok(!labels(complete('routes:\n  - path: /a\n    methods: [GET, | ]\n').items).includes('GET'));
    assert.deepEqual(labels(complete('routes:\n  - path: /a\n    methods:\n      - |\n').items), ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
    const retry = labels(complete('routes:\n  - path: /a\n    retryOn:\n      - |\n').items);
    assert.ok(
      ['502', '503', '504', 'connect-error', 'timeout'].every((v) => retry.includes(v)),
      retry.join(' '),
    );
    assert.ok(labels(complete('routes:\n  - path: /a\n    retryOn: [502, t| ]\n').items).includes('timeout'));
  });

  it('still completes block keys and whole routes after a `- `', () => {
    assert.ok(labels(complete('routes:\n  - |\n').items).includes('New route'));
  });
});

describe('language service: hover on values, keys and endpoints', () => {
  it('lists the allowed values on an enum key and on its value', () => {
    const onKey = hover('routes:\n  - path: /a\n    load|Balancing: weighted\n');
    assert.match(onKey, /Allowed values: `round-robin`, `weighted`, `least-connections`, `least-latency`/);
    assert.match(hover('routes:\n  - path: /a\n    loadBalancing: weig|hted\n'), /Allowed values: `round-robin`/);
    assert.match(hover('security:\n  - endpoint: /a\n    rateLimit: { requests: 10/s, by: i|p }\n'), /Allowed values: `consumer`, `ip`, `route`/);
    assert.match(hover('security:\n  - endpoint: /a\n    au|th: none\n'), /Allowed values: `jwt`, `api-key`, `none`/);
  });

  it('says which routes a security endpoint protects', () => {
    const config = [
      'routes:',
      '  - { name: chat, path: /v1/chat, target: mock://openai }',
      '  - { name: embed, path: /v1/embed, methods: [POST], target: mock://openai }',
      '  - { name: admin, path: /v1/admin, target: mock://openai }',
      'security:',
      '  - { endpoint: /v1/*, auth: none }',
      '  - { endpoint: /v1/admin, auth: jwt, jwt: { secretEnv: HOME } }',
    ].join('\n');
    const prefix = hover(config.replace('endpoint: /v1/*', 'endpoint: /v1/|*'));
    assert.match(prefix, /Security rule `\/v1\/\*`.* protects 2 routes:\n- `chat` \/v1\/chat\n- `embed` \/v1\/embed \(POST\)$/);
    assert.match(hover(config.replace('endpoint: /v1/admin', 'endpo|int: /v1/admin')), /protects 1 route:\n- `admin` \/v1\/admin/);
  });
});
