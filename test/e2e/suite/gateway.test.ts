// The local gateway from the editor: start it, send traffic through it, see it in the routes view, the
// test-request panel, the metrics panel and the Testing view, hot-reload a save, and stop it without a trace.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../../../common/src/nodeFlags';
import { driver } from './driver';
import { eventually, extensionApi, fixtureUri, nextEvent, openFixture } from './workbench';

const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local gateway', () => {
  let url = '';

  it('Start Local Gateway runs the config on a free port, and an HTTP request through it succeeds', async () => {
    await openFixture('ai-gateway.yaml');
    const api = await extensionApi();
    url = (await vscode.commands.executeCommand<string | undefined>('aiGateway.start')) ?? '';
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(url).port, '8080', 'a free port, not the configured one');
    assert.equal(api.gateway.state.kind, 'running');
    const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody });
    assert.equal(response.status, 200);
    const json = (await response.json()) as { choices: { message: { content: string } }[] };
    assert.match(json.choices[0]?.message.content ?? '', /Hello/);
  });

  it('the routes view lists the routes with their targets', async () => {
    await vscode.commands.executeCommand('aiGateway.showRoutes');
    const rows = await eventually('the routes in the tree', async () => {
      const texts = await driver.workbenchText('#workbench\\.parts\\.sidebar .monaco-list-row');
      const all = texts.join('\n');
      return all.includes('chat') && all.includes('embeddings') && all.includes('mock://openai') ? all : undefined;
    });
    assert.match(rows, /POST \/v1\/chat\/completions/);
    await driver.screenshot('routes-view');
  });

  it('Send Test Request returns 200 and the panel shows the streamed tokens', async () => {
    await vscode.commands.executeCommand('aiGateway.sendTestRequest', { uri: fixtureUri('ai-gateway.yaml'), route: 'chat', send: true });
    const text = await eventually('the streamed answer in the test-request panel', async () =>
      (await driver.webviewText()).find((t) => t.includes('tokens/s') && t.includes('Hello from the AI gateway mock') && t.includes('attempt(s)')),
    );
    assert.match(text, /200 OK/);
    assert.match(text, /\d+ events · time to first token [\d.]+ ms/);
    assert.match(text, /connect [\d.–]+ ms · first byte [\d.]+ ms · total [\d.]+ ms/);
    assert.match(text, /POST \/v1\/chat\/completions → route chat, 200 in [\d.]+ ms; upstream mock:\/\/openai after 1 attempt\(s\)/, 'the gateway trace');
    assert.match(text, /; cost \$0\.\d{6}/, "the request's cost, from its usage at gpt-4o-mini's price");
    assert.match(text, /History[\s\S]*POST \/v1\/chat\/completions\s*200/);
    await driver.screenshot('test-request');
  });

  it("the test-request panel's trace says which guardrail acted, where, and what it found (never the value)", async () => {
    await vscode.commands.executeCommand('aiGateway.sendTestRequest', { uri: fixtureUri('ai-gateway.yaml'), route: 'guarded', send: true });
    const text = await eventually('the guardrail in the trace', async () =>
      (await driver.webviewText()).find((t) => t.includes('route guarded') && t.includes('guardrail: pii redacted (request)')),
    );
    assert.match(text, /guardrail: pii redacted \(request\) \(email 1; in messages\[0\]\.content\)/);
  });

  it('the metrics panel shows the requests just made', async () => {
    await vscode.commands.executeCommand('aiGateway.showMetrics', 'chat');
    // A few seconds of light traffic, paced by the panel's own 1 s samples, so the charts have a history to draw.
    const api = await extensionApi();
    for (let round = 0; round < 6; round++) {
      await Promise.all(
        [1, 2, 3].map(() =>
          fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody }).then((r) => r.text()),
        ),
      );
      await fetch(`${url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'text-embedding-3-small', input: 'hi' }),
      }).then((r) => r.text());
      await nextEvent(api.poller.onDidSample);
    }
    let seen: string[] = [];
    const text = await eventually('the chat route in the metrics panel', async () => {
      seen = await driver.webviewText();
      return seen.find((t) => /chat\s*(1\d|[2-9]\d)\d* req · p95 \d+ ms/.test(t));
    }).catch((err: Error) => assert.fail(`${err.message}; the webviews showed:\n${seen.join('\n---\n')}`));
    assert.match(text, /Live · updated/);
    assert.match(text, /Latency/);
    assert.match(text, /chat\s*\d+ req · p95 \d+ ms · \d+ errors · \d+ tokens · \$0\.(?!0{6})\d{6} in 60 s/, "the route's cost over the window");
    assert.match(text, /Cost\s*0\.\d{6} \$\/min/);
    await driver.screenshot('metrics');
  });

  it("the AI Gateway output shows the user's requests, not the extension's own metrics polls", async () => {
    const api = await extensionApi();
    for (let i = 0; i < 3; i++) await nextEvent(api.poller.onDidSample);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'e2e-user-request' },
      body: chatBody,
    });
    assert.equal(response.status, 200);
    await response.text();
    await nextEvent(api.poller.onDidSample); // polled after the request too
    const log = await eventually('the request in the output', () => {
      const text = fs.existsSync(api.logFile.fsPath) ? fs.readFileSync(api.logFile.fsPath, 'utf8') : '';
      return text.includes('requestId=e2e-user-request') ? text : undefined;
    });
    assert.match(log, /\[info\] request requestId=e2e-user-request method=POST path=\/v1\/chat\/completions route=chat status=200/);
    assert.doesNotMatch(log, /path=\/api\/v1\/metrics/, 'the polls of the metrics API are not at info');
  });

  it('Run Route Tests on a config without tests says what to add', async () => {
    await openFixture('offline.gateway.yaml');
    const results = await vscode.commands.executeCommand<unknown[]>('aiGateway.runRouteTests');
    assert.deepEqual(results, []);
    const toast = await eventually('the hint about tests', async () =>
      (await driver.workbenchText('.notifications-toasts')).find((t) => t.includes('offline.gateway.yaml has no route tests')),
    );
    assert.match(toast, /Add a "tests:" list under a route, for example tests: \[\{ name: answers 200, expect: \{ status: 200 \} \}\]/);
    await vscode.commands.executeCommand('notifications.clearAll');
    await openFixture('ai-gateway.yaml');
  });

  it('route tests pass and fail as they should in the Testing view', async () => {
    const api = await extensionApi();
    // This config's tests (VS Code may keep other configs the suite opened, and their tests, after their editors closed).
    const file = api.routeTests.controller.items.get(fixtureUri('ai-gateway.yaml').toString());
    assert.ok(file, 'the config is in the Testing view');
    const results = await api.routeTests.run(new vscode.TestRunRequest([file]), new vscode.CancellationTokenSource().token);
    const outcome = Object.fromEntries(results.map((r) => [r.test, r.passed]));
    // The guardrail test passes only if the Testing view asks the gateway for its trace (with its admin key).
    assert.deepEqual(outcome, { 'answers a chat completion': true, 'expects the wrong status on purpose': false, 'redacts an address': true });
    const failed = results.find((r) => !r.passed);
    assert.deepEqual(
      failed?.failures.map((f) => [f.expectation, f.expected, f.actual]),
      [['status', '201', '200']],
    );
    // Reveal the failed test: the Testing view expands its file and route to show it, next to the passed one.
    const failedItem = api.routeTests.controller.items
      .get(fixtureUri('ai-gateway.yaml').toString())
      ?.children.get(`${fixtureUri('ai-gateway.yaml').toString()}#chat`)
      ?.children.get(`${fixtureUri('ai-gateway.yaml').toString()}#chat#1`);
    assert.ok(failedItem, 'the failing test is an item of the controller');
    await vscode.commands.executeCommand('vscode.revealTestInExplorer', failedItem);
    const rows = await eventually('the route tests in the Testing view', async () => {
      const texts = (await driver.workbenchText('#workbench\\.parts\\.sidebar .monaco-list-row')).join('\n');
      return texts.includes('answers a chat completion') && texts.includes('expects the wrong status on purpose') ? texts : undefined;
    });
    assert.match(rows, /chat/);
    await driver.screenshot('route-tests');
  });

  it('saving the config hot-reloads it; a broken save is refused and the last good config keeps serving', async () => {
    const api = await extensionApi();
    const file = fixtureUri('ai-gateway.yaml').fsPath;
    const original = fs.readFileSync(file, 'utf8');
    const applied = nextEvent(api.gateway.onDidReloadConfig, (o) => o.applied);
    fs.writeFileSync(
      file,
      original.replace('  - name: embeddings', '  - name: models\n    path: /v1/models\n    methods: [GET]\n    target: mock://openai\n  - name: embeddings'),
    );
    await applied;
    assert.equal((await fetch(`${url}/v1/models`)).status, 200);

    const rejected = nextEvent(api.gateway.onDidReloadConfig, (o) => !o.applied);
    fs.writeFileSync(file, original.replace('methods: [POST]', 'methods: [FETCH]'));
    const refusal = await rejected;
    assert.ok(refusal.diagnostics.length > 0, 'the refusal carries the diagnostics');
    assert.equal((await fetch(`${url}/v1/models`)).status, 200, 'the last good config still serves');
    fs.writeFileSync(file, original);
  });

  it("the local gateway runs with the launchers' node flags and environment; Stop Local Gateway leaves no process behind", async () => {
    const api = await extensionApi();
    const state = api.gateway.state;
    assert.equal(state.kind, 'running');
    const pid = state.kind === 'running' ? state.pid : 0;
    assert.ok(isAlive(pid));
    const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    for (const flag of GATEWAY_NODE_FLAGS) assert.ok(commandLine.includes(flag), `${flag} in ${commandLine.join(' ')}`);
    const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    for (const [name, value] of Object.entries(GATEWAY_ENV)) assert.ok(environ.includes(`${name}=${value}`), `${name}=${value}`);
    await vscode.commands.executeCommand('aiGateway.stop');
    assert.equal(api.gateway.state.kind, 'stopped');
    assert.equal(isAlive(pid), false, `gateway process ${pid} is gone`);
    await assert.rejects(fetch(`${url}/v1/models`), 'nothing listens on the port any more');
  });
});
