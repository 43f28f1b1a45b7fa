// The custom LSP messages of `Lsp` (common/src/protocol.ts) over stdio with a real JSON-RPC client: the server pushes
// a notification for each analyzed version, and answers the document model and start validation from its analysis.
import { strict as assert } from 'node:assert';
import { NotificationType, RequestType } from 'vscode-jsonrpc/node';
import { Lsp, type LspNotification, type LspRequest } from '../../common/src/protocol';
import { LspClient, ourServerCommand } from './lspClient';

const requestType = <P, R>(message: LspRequest<P, R>) => new RequestType<P, R, void>(message.method);
const notificationType = <P>(message: LspNotification<P>) => new NotificationType<P>(message.method);

const uri = 'file:///tmp/project/ai-gateway.yaml';
const TEXT = [
  'gateway:',
  '  listen: 127.0.0.1:9090',
  'routes:',
  '  - name: chat',
  '    path: /v1/chat',
  '    target: mock://openai',
  '    tests:',
  '      - name: answers',
  '        expect: { status: 200 }',
  'security:',
  '  - endpoint: /v1/chat',
  '    auth: none',
  '',
].join('\n');

/** The analysis notifications of one connection, taken in order. */
class AnalysisNotifications {
  private readonly received: Lsp.AnalysisChanged[] = [];
  private waiter: ((n: Lsp.AnalysisChanged) => void) | undefined;

  constructor(client: LspClient) {
    client.connection.onNotification(notificationType(Lsp.AnalysisChangedNotification.type), (n) => {
      if (this.waiter) this.waiter(n);
      else this.received.push(n);
    });
  }

  next(): Promise<Lsp.AnalysisChanged> {
    const ready = this.received.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      this.waiter = (n) => {
        this.waiter = undefined;
        resolve(n);
      };
    });
  }
}

describe('custom LSP messages over stdio', function () {
  this.timeout(60_000);
  let client: LspClient;
  let analyzed: AnalysisNotifications;
  const model = (forUri = uri) => client.connection.sendRequest(requestType(Lsp.DocumentModelRequest.type), { uri: forUri });
  const change = (version: number, text: string) =>
    client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });

  before(async () => {
    client = new LspClient(ourServerCommand());
    analyzed = new AnalysisNotifications(client);
    await client.initialize();
  });
  after(() => client.kill());

  it('pushes each analyzed version after its diagnostics, and serves the routes of it', async () => {
    await client.open(uri, TEXT);
    assert.deepEqual(await analyzed.next(), { uri, version: 1 });
    assert.deepEqual((await client.nextDiagnostics(uri)).diagnostics, [], 'the diagnostics came first');
    const first = await model();
    assert.ok(first);
    assert.equal(first.version, 1);
    assert.deepEqual(first.listen, { host: '127.0.0.1', port: 9090 });
    assert.deepEqual(
      first.routes.map((r) => [r.name, r.path, r.targets, r.tests.map((t) => t.name), r.range.start, r.testRanges.map((t) => t.start.line)]),
      [['chat', '/v1/chat', [{ url: 'mock://openai', weight: 1 }], ['answers'], { line: 3, character: 4 }, [7]]],
    );
  });

  it('keeps the routes of a document with an unrelated error, and follows edits', async () => {
    client.discardDiagnostics();
    await change(2, TEXT.replace('    auth: none', '    auth: nobody'));
    assert.deepEqual(await analyzed.next(), { uri, version: 2 });
    assert.equal((await client.nextDiagnostics(uri)).diagnostics[0]?.severity, 1, 'an error in the security rule');
    const broken = await model();
    assert.equal(broken?.version, 2);
    assert.deepEqual(
      broken?.routes.map((r) => [r.name, r.errors]),
      [['chat', 0]],
    );

    const added = TEXT.replace('security:', '  - name: embeddings\n    path: /v1/embeddings\n    target: mock://openai\nsecurity:');
    await change(3, added.replace('    auth: none', '    auth: nobody'));
    assert.deepEqual(await analyzed.next(), { uri, version: 3 });
    assert.deepEqual(
      (await model())?.routes.map((r) => [r.name, r.range.start.line]),
      [
        ['chat', 3],
        ['embeddings', 9],
      ],
    );
  });

  it('answers a request sent right after an edit for the edited version', async () => {
    client.discardDiagnostics();
    await change(4, TEXT.replace('name: chat', 'name: chat-v4'));
    // The request follows the change at once (usually inside the validation delay): it is answered for version 4.
    const answer = await model();
    assert.equal(answer?.version, 4);
    assert.equal(answer?.routes[0]?.name, 'chat-v4');
    assert.deepEqual(await analyzed.next(), { uri, version: 4 });
    assert.deepEqual((await client.nextDiagnostics(uri)).version, 4);
  });

  it('validates for start on request: an unset variable is an error, with the line `validate` prints', async () => {
    client.discardDiagnostics();
    await change(5, TEXT.replace('mock://openai', '${AI_GATEWAY_TEST_SURELY_UNSET}'));
    await analyzed.next();
    assert.deepEqual(
      (await client.nextDiagnostics(uri)).diagnostics.map((d) => [d.code, d.severity]),
      [['env.unset', 2]],
      'a warning in the editor',
    );
    const validation = await client.connection.sendRequest(requestType(Lsp.ValidateRequest.type), { uri });
    assert.deepEqual(
      validation?.diagnostics.map((d) => [d.code, d.severity]),
      [['env.unset', 'error']],
    );
    assert.deepEqual(validation?.lines, [
      '/tmp/project/ai-gateway.yaml:6:13: error: Environment variable AI_GATEWAY_TEST_SURELY_UNSET is not set. [env.unset]',
    ]);
  });

  it('treats a document the editor gave the gateway language as a config whatever its name, and answers null for others', async () => {
    const associated = 'file:///tmp/project/deploy/edge.yaml';
    await client.open(associated, TEXT, Lsp.languageId);
    assert.deepEqual(await analyzed.next(), { uri: associated, version: 1 });
    assert.deepEqual(
      (await model(associated))?.routes.map((r) => r.name),
      ['chat'],
    );
    const other = 'file:///tmp/project/docker-compose.yaml';
    await client.open(other, 'services: { web: { image: nginx } }\n');
    assert.equal(await model(other), null);
    assert.equal(await model('file:///tmp/project/never-opened.gateway.yaml'), null);
  });
});
