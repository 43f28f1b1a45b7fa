// The editor shows what the config model says a config leaves open, over stdio to the real language server: the
// conflicting-rules error of the letter-case split, a public override warning, and completion of the new key.
import { strict as assert } from 'node:assert';
import type { CompletionList } from 'vscode-languageserver';
import { LspClient, ourServerCommand } from './lspClient';

const uri = 'file:///tmp/project/secured.gateway.yaml';
const TEXT = [
  'routes:',
  '  - { path: /admin, target: mock://openai }',
  '  - { path: /v1/*, target: mock://openai }',
  'security:',
  '  - { endpoint: /admin, auth: none }',
  '  - { endpoint: /ADMIN, auth: api-key, apiKeys: [{ name: ops, sha256: ' + 'a'.repeat(64) + ' }] }',
  '  - { endpoint: /v1/*, auth: api-key, apiKeys: [{ name: ops, sha256: ' + 'b'.repeat(64) + ' }] }',
  '  - { endpoint: /v1/models, auth: none }',
  'gateway:',
  '  defaultA',
  '',
].join('\n');

describe('language server over stdio: security diagnostics', function () {
  this.timeout(60_000);
  let client: LspClient;
  before(() => {
    client = new LspClient(ourServerCommand());
  });
  after(() => client.kill());

  it('shows the conflicting rules, the public override, and completes gateway.defaultAuth', async () => {
    await client.initialize();
    await client.open(uri, TEXT);
    const { diagnostics } = await client.nextDiagnostics(uri);
    const conflict = diagnostics.find((d) => d.code === 'security.conflict');
    assert.ok(conflict, JSON.stringify(diagnostics.map((d) => d.code)));
    assert.equal(conflict.severity, 1, 'an error');
    assert.deepEqual(conflict.range.start, { line: 5, character: 16 });
    assert.match(String(conflict.message), /"\/ADMIN" is the same route as "\/admin" in entry 1 \(paths match in any letter case\)/);
    const override = diagnostics.find((d) => d.code === 'security.publicOverride');
    assert.equal(override?.severity, 2, 'a warning');
    assert.match(String(override?.message), /makes every method \/v1\/models public, inside "\/v1\/\*"/);

    const completion = await client.connection.sendRequest<CompletionList>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 9, character: 10 },
    });
    assert.ok(
      completion.items.some((item) => item.label === 'defaultAuth'),
      JSON.stringify(completion.items.map((i) => i.label)),
    );
    assert.equal(await client.shutdown(), 0);
  });
});
