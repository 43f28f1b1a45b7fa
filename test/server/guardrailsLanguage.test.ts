// The language service on route guardrails: completion of guardrails, kinds and actions (inline and block YAML),
// hover on them, and deny patterns the linear-time engine refuses shown as errors on the pattern.
import { strict as assert } from 'node:assert';
import type { CompletionItem } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createLanguageService } from '../../server/src/service/languageService';
import { at } from './caretFixture';

const service = createLanguageService({ env: {} });
// Snippet items ("pii: PII redaction") come with the keys; the names are what is checked here.
const labels = (items: CompletionItem[]): string[] => items.filter((item) => !String(item.label).includes(': ')).map((item) => String(item.label));
const complete = (fixture: string): string[] => {
  const { document, position } = at(fixture);
  return labels(service.doComplete(document, position).items);
};
const ROUTE = 'routes:\n  - path: /v1/chat/completions\n    target: mock://openai\n';

describe('language service: guardrails', () => {
  it('completes the guardrails of each side, and the keys of a route', () => {
    assert.ok(complete(`${ROUTE}    gu|\n`).includes('guardrails'));
    assert.deepEqual(complete(`${ROUTE}    guardrails:\n      request:\n        - |\n`).sort(), ['deny', 'maxPromptTokens', 'models', 'pii', 'webhook']);
    assert.deepEqual(complete(`${ROUTE}    guardrails:\n      response:\n        - |\n`).sort(), ['jsonSchema', 'pii', 'webhook']);
  });

  it('completes PII kinds and actions, inline and in block lists', () => {
    assert.deepEqual(complete(`${ROUTE}    guardrails:\n      request:\n        - pii: { action: | }\n`), ['redact', 'block', 'flag']);
    assert.deepEqual(complete(`${ROUTE}    guardrails:\n      request:\n        - pii: { kinds: [email, | ] }\n`), [
      'phone',
      'credit-card',
      'iban',
      'ip',
      'secret',
    ]);
    assert.deepEqual(complete(`${ROUTE}    guardrails:\n      response:\n        - pii:\n            kinds:\n              - |\n`), [
      'email',
      'phone',
      'credit-card',
      'iban',
      'ip',
      'secret',
    ]);
    assert.deepEqual(complete(`${ROUTE}    guardrails:\n      request:\n        - webhook: { url: "http://m/check", onError: | }\n`), ['allow', 'block']);
  });

  it('explains a kind on hover, and each action in completion', () => {
    const { document, position } = at(`${ROUTE}    guardrails:\n      request:\n        - pii: { kinds: [credit-c|ard] }\n`);
    const value = (service.doHover(document, position)?.contents as { value: string } | undefined)?.value ?? '';
    assert.match(value, /`credit-card`: Payment card numbers .* Luhn check/);
    const { document: d2, position: p2 } = at(`${ROUTE}    guardrails:\n      request:\n        - pii: { action: | }\n`);
    const block = service.doComplete(d2, p2).items.find((item) => item.label === 'block');
    assert.match((block?.documentation as { value: string } | undefined)?.value ?? '', /400 `guardrail_blocked`/);
  });

  it('refuses deny patterns RE2 cannot run in linear time, on the pattern, with the reason', () => {
    const text = `${ROUTE}    guardrails:\n      request:\n        - deny: { patterns: ["(?i)ignore (all|previous) instructions", "(a+)\\\\1", "secret(?=:)"] }\nsecurity:\n  - { endpoint: /v1/chat/completions, auth: none }\n`;
    const document = TextDocument.create('file:///g.gateway.yaml', 'ai-gateway-yaml', 1, text);
    const diagnostics = service.doValidation(document).filter((d) => d.code === 'guardrail.denyPattern');
    assert.deepEqual(
      diagnostics.map((d) => [String(d.message).split(':')[0], document.getText(d.range)]),
      [
        ['Deny pattern "(a+)\\\\1" is refused', '"(a+)\\\\1"'],
        ['Deny pattern "secret(?=', '"secret(?=:)"'],
      ],
    );
    assert.match(String(diagnostics[1]!.message), /backreferences and lookarounds/);
  });

  it('warns on recordContent where no guardrail redacts what the spans would carry, on the value', () => {
    const unredacted = (guardrails: string): string[] => {
      const text = `${ROUTE}    telemetry: { recordContent: true }\n${guardrails}security:\n  - { endpoint: /v1/chat/completions, auth: none }\n`;
      const document = TextDocument.create('file:///t.gateway.yaml', 'ai-gateway-yaml', 1, text);
      return service
        .doValidation(document)
        .filter((d) => d.code === 'telemetry.contentUnredacted')
        .map((d) => `${d.severity ?? ''} ${document.getText(d.range)}`);
    };
    assert.deepEqual(unredacted(''), ['2 true']);
    assert.deepEqual(unredacted('    guardrails:\n      request:\n        - maxPromptTokens: 8000\n'), ['2 true']);
    assert.deepEqual(unredacted('    guardrails:\n      response:\n        - pii: { action: flag }\n'), []);
  });
});
