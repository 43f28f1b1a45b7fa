// The language service on provider targets: `provider` values, the provider's known models and `apiKeyEnv` names are
// completed; hovers say what the gateway does with a provider, whether a model is known (and its price), and whether
// a key variable is set (never its value); the unknown-model warning and its quick fix.
import { strict as assert } from 'node:assert';
import type { CompletionItem, TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createLanguageService } from '../../server/src/service/languageService';
import { applyEdit, at } from './caretFixture';

const ENV = { ANTHROPIC_API_KEY: 'sk-ant-value-never-shown', TEAM_TOKEN: 'tt-value-never-shown', HOME: '/root', UNSET_SECRET: '' };
const service = createLanguageService({ env: ENV });

const target = (lines: string): string =>
  `routes:\n  - path: /v1/chat/completions\n    targets:\n      - ${lines}\nsecurity:\n  - { endpoint: /v1/chat/completions, auth: none }\n`;

function complete(fixture: string): { items: CompletionItem[]; after: (label: string) => string } {
  const { document, position } = at(fixture);
  const items = service.doComplete(document, position).items;
  return {
    items,
    after: (label) => {
      const item = items.find((i) => i.label === label);
      assert.ok(item?.textEdit, `${label} is offered`);
      return TextDocument.applyEdits(document, [item.textEdit as TextEdit]);
    },
  };
}

function hover(fixture: string): string {
  const { document, position } = at(fixture);
  return (service.doHover(document, position)?.contents as { value: string } | undefined)?.value ?? '';
}

describe('language service: provider targets', () => {
  it('completes provider values, and the keys a target takes', () => {
    assert.deepEqual(
      complete(target('provider: |')).items.map((i) => i.label),
      ['openai', 'azure-openai', 'anthropic', 'gemini', 'bedrock', 'ollama', 'openai-compatible'],
    );
    const keys = complete(target('provider: anthropic\n        |')).items.map((i) => i.label);
    for (const key of ['apiKeyEnv', 'model', 'url', 'headers', 'apiVersion', 'weight']) assert.ok(keys.includes(key), key);
  });

  it("completes the provider's known models, with what they cost", () => {
    const { items, after } = complete(target('provider: anthropic\n        model: cl|'));
    const haiku = items.find((i) => i.label === 'claude-haiku-4-5');
    assert.equal(haiku?.detail, 'Anthropic chat model, $1 in / $5 out per million tokens');
    assert.ok(items.every((i) => i.label.startsWith('claude-')));
    assert.match(after('claude-haiku-4-5'), /model: claude-haiku-4-5\n/);
    assert.ok(complete(target('provider: gemini\n        model: |')).items.some((i) => i.label === 'gemini-2.5-flash'));
    assert.ok(complete(target('provider: bedrock\n        model: |')).items.some((i) => i.label === 'amazon.titan-embed-text-v2:0'));
  });

  it("completes apiKeyEnv with the provider's usual variable first and key-like names, never their values", () => {
    const { items } = complete(target('provider: anthropic\n        apiKeyEnv: |'));
    assert.deepEqual(
      items.map((i) => [i.label, i.detail]),
      [
        ['ANTHROPIC_API_KEY', 'set in the editor’s environment'],
        ['TEAM_TOKEN', 'set in the editor’s environment'],
        ['UNSET_SECRET', 'not set in the editor’s environment'],
      ],
    );
    assert.deepEqual(
      complete(target('provider: openai\n        apiKeyEnv: |')).items.map((i) => i.label)[0],
      'OPENAI_API_KEY',
      "offered though unset: it is the variable OpenAI's SDKs read",
    );
    assert.ok(!JSON.stringify(items).includes('never-shown'));
  });

  it('hovers a provider with where its key goes and what it requires, a model with its list and price, and a key variable by name', () => {
    const azure = hover(target('provider: azure-o|penai\n        url: https://x.openai.azure.com\n        apiKeyEnv: AZURE_KEY'));
    assert.match(azure, /\*\*Azure OpenAI\*\*/);
    assert.match(azure, /`api-key: <key>`/);
    assert.match(azure, /url: \*\*required\*\*/);
    const model = hover(target('provider: openai\n        apiKeyEnv: ANTHROPIC_API_KEY\n        model: gpt-4o-m|ini'));
    assert.match(model, /a known OpenAI chat model \(list of \d{4}-\d\d-\d\d\), \$0\.15 in \/ \$0\.6 out per million tokens/);
    const unknown = hover(target('provider: openai\n        apiKeyEnv: ANTHROPIC_API_KEY\n        model: gpt-9|9'));
    assert.match(unknown, /not in the gateway's OpenAI list/);
    const set = hover(target('provider: anthropic\n        apiKeyEnv: ANTHROPIC_AP|I_KEY'));
    assert.match(set, /`ANTHROPIC_API_KEY` is set in the editor’s environment/);
    assert.ok(!set.includes(ENV.ANTHROPIC_API_KEY));
    assert.match(hover(target('provider: anthropic\n        apiKeyEnv: MISSING_K|EY')), /is \*\*not set\*\*/);
  });

  it('warns about an unknown model and fixes it to the nearest known name', () => {
    const { document } = at(target('provider: anthropic\n        apiKeyEnv: ANTHROPIC_API_KEY\n        model: claude-haiku-4.5'));
    const diagnostics = service.doValidation(document);
    const warning = diagnostics.find((d) => d.code === 'provider.unknownModel');
    assert.equal(warning?.severity, 2);
    assert.match(String(warning?.message), /Did you mean "claude-haiku-4-5"\?/);
    const fix = service.getCodeActions(document, warning.range, [warning]).find((a) => a.title === 'Change to "claude-haiku-4-5"');
    const fixed = applyEdit(document, fix);
    assert.match(fixed.getText(), /model: claude-haiku-4-5\n/);
    assert.equal(
      service.doValidation(fixed).find((d) => d.code === 'provider.unknownModel'),
      undefined,
    );
  });

  it('moves a credential written into a target header to an environment variable', () => {
    const { document } = at(target('url: http://127.0.0.1:9000\n        headers: { x-api-key: sk-literal-key }'));
    const warning = service.doValidation(document).find((d) => d.code === 'secret.plaintextHeader');
    assert.ok(warning);
    const [fix] = service.getCodeActions(document, warning.range, [warning]);
    assert.equal(fix?.title, 'Read the x-api-key value from the environment variable X_API_KEY');
    assert.match(applyEdit(document, fix).getText(), /headers: \{ x-api-key: "\$\{X_API_KEY\}" \}/);
  });
});
