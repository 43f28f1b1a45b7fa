import { strict as assert } from 'node:assert';
import type { CompletionList, DocumentSymbol, Hover } from 'vscode-languageserver';
import { generatedConfig } from './generatedConfig';
import { LspClient, ourServerCommand } from './lspClient';

const SMALL =
  'routes:\n  - name: chat\n    path: /v1/chat\n    loadBalancing: weighted\n    target: mock://openai\nsecurity:\n  - endpoint: /v1/chat\n    auth: none\n';
const small = 'file:///w/small.gateway.yaml';

/** 100,000 route items that are all one alias: the expansion is refused, and nothing may run over the items. */
const ALIASED = ['shared: &route { path: /v1/chat, target: mock://openai }', 'routes:', ...Array.from({ length: 100_000 }, () => '  - *route')].join('\n');

describe('language server over stdio: responsive on any document', function () {
  this.timeout(180_000);
  let client: LspClient;
  beforeEach(async () => {
    client = new LspClient(ourServerCommand());
    await client.initialize();
  });
  afterEach(() => client.kill());

  /** Opens `uri` and, while it is analyzed, a small document; returns what happened in the order it happened. */
  async function whileAnalyzing(uri: string, text: string): Promise<{ events: string[]; codes: string[] }> {
    const events: string[] = [];
    const published = client.nextDiagnostics(uri).then((p) => {
      events.push('large: diagnostics');
      return p;
    });
    await client.open(uri, text);
    await client.open(small, SMALL);
    assert.deepEqual((await client.nextDiagnostics(small)).diagnostics, []);
    events.push('small: diagnostics');
    const hover = await client.connection.sendRequest<Hover>('textDocument/hover', { textDocument: { uri: small }, position: { line: 3, character: 6 } });
    assert.match(JSON.stringify(hover.contents), /Allowed values/);
    events.push('small: hover');
    const completion = await client.connection.sendRequest<CompletionList>('textDocument/completion', {
      textDocument: { uri: small },
      position: { line: 7, character: 10 },
    });
    assert.deepEqual(
      completion.items.map((i) => i.label),
      ['jwt', 'api-key', 'none'],
    );
    events.push('small: completion');
    const codes = (await published).diagnostics.map((d) => String(d.code));
    return { events, codes };
  }

  it('answers requests on another document while a 4,000-route config is being analyzed', async () => {
    const { events, codes } = await whileAnalyzing('file:///w/large.gateway.yaml', generatedConfig(4000));
    assert.deepEqual(events, ['small: diagnostics', 'small: hover', 'small: completion', 'large: diagnostics']);
    assert.deepEqual(codes, []);
  });

  it('answers while 100,000 aliased route items are analyzed, refuses their expansion, and indexes no routes', async () => {
    const uri = 'file:///w/aliased.gateway.yaml';
    const { events, codes } = await whileAnalyzing(uri, ALIASED);
    assert.deepEqual(events, ['small: diagnostics', 'small: hover', 'small: completion', 'large: diagnostics']);
    assert.deepEqual(codes, ['yaml.aliases']);
    const symbols = await client.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(
      symbols.map((s) => [s.name, s.children?.length ?? 0]),
      [
        ['shared', 0],
        ['routes', 0],
      ],
    );
  });

  it('answers a request on the large document itself while it is analyzed, and still publishes its diagnostics', async () => {
    const uri = 'file:///w/large.gateway.yaml';
    const published = client.nextDiagnostics(uri);
    await client.open(uri, generatedConfig(3000));
    const symbols = await client.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(symbols.find((s) => s.name === 'routes')?.children?.length, 3000);
    assert.deepEqual((await published).diagnostics, []);
  });

  it('opens 3,000 routes on one path and reports each duplicate', async () => {
    const uri = 'file:///w/one-path.gateway.yaml';
    const text = [
      'routes:',
      ...Array.from({ length: 3000 }, (_, i) => `  - { name: r${i}, path: /v1/chat, match: { headers: { x-team: t${i % 2500} } }, target: mock://openai }`),
      'security:',
      '  - { endpoint: /v1/chat, auth: none }',
    ].join('\n');
    await client.open(uri, text);
    const codes = (await client.nextDiagnostics(uri)).diagnostics.map((d) => d.code);
    assert.equal(codes.length, 500);
    assert.ok(codes.every((c) => c === 'route.duplicate'));
  });
});
