// The Traffic view in the real workbench: rows of the local gateway's requests appear live, filter by status, open
// into the request and its answer (credentials redacted, the stream as timed events), and Edit and send opens the
// request in the test-request panel.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { driver } from './driver';
import { eventually, extensionApi, nextEvent, openFixture } from './workbench';

describe('traffic view', () => {
  let url = '';

  it('shows each request of the local gateway as it ends, with route, status, model and tokens', async () => {
    await openFixture('ai-gateway.yaml');
    const api = await extensionApi();
    url = (await vscode.commands.executeCommand<string | undefined>('aiGateway.start')) ?? '';
    await vscode.commands.executeCommand('aiGateway.showTraffic');
    await eventually('the view connected', async () => (await driver.webviewText()).find((t) => t.includes('Live ·') && t.includes('Bodies are kept')));
    const arrived = nextEvent(api.traffic.onDidReceiveRow, (row) => row.path === '/v1/chat/completions' && row.stream);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-e2e-never-shown', 'x-mock-chunk-delay': '5' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Hi from the traffic test' }],
      }),
    });
    assert.equal(response.status, 200);
    await response.text();
    await arrived;
    const text = await eventually('the row in the view', async () =>
      (await driver.webviewText()).find((t) => /POST\s+\/v1\/chat\/completions\s+chat\s+200/.test(t)),
    );
    assert.match(text, /openai \/ gpt-4o-mini/);
    assert.match(text, /\d+ \+ \d+/, 'prompt + completion tokens');
    const missing = await fetch(`${url}/nowhere`);
    assert.equal(missing.status, 404);
    await eventually('the 404 row', async () => (await driver.webviewText()).find((t) => /GET\s+\/nowhere\s+—\s+404/.test(t)));
  });

  it('filters by status, and opens a row into the request and its answer with credentials redacted', async () => {
    await driver.webviewSelect('#status-filter', '4');
    await eventually('only the 404 row', async () =>
      (await driver.webviewText()).find((t) => t.includes('/nowhere') && !/POST\s+\/v1\/chat\/completions\s+chat/.test(t)),
    );
    await driver.webviewSelect('#status-filter', '*');
    const api = await extensionApi();
    const chat = [...api.traffic.rows].reverse().find((row) => row.path === '/v1/chat/completions' && row.stream);
    assert.ok(chat);
    await driver.webviewClick(`tr[data-request-id="${chat.requestId}"]`);
    const detail = await eventually('the detail of the row', async () =>
      (await driver.webviewText()).find((t) => t.includes('Gateway trace') && t.includes('Hi from the traffic test')),
    );
    assert.match(detail, /authorization\s+<redacted>/);
    assert.doesNotMatch(detail, /sk-e2e-never-shown/);
    assert.match(detail, /\+[\d.]+ ms\s+\{"id"/, 'the stream as events with their times');
    assert.match(detail, /\[DONE\]/);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.toggleMaximizedPanel'); // room for the table and the detail
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await driver.screenshot('traffic');
    await vscode.commands.executeCommand('workbench.action.toggleMaximizedPanel');
    await vscode.commands.executeCommand('workbench.view.explorer');
  });

  it('Replay sends the request again through the gateway; Edit and send opens it in the test-request panel', async () => {
    const api = await extensionApi();
    const replayed = nextEvent(api.traffic.onDidReceiveRow, (row) => row.path === '/v1/chat/completions' && row.stream);
    await driver.webviewClick('#replay');
    assert.equal((await replayed).status, 200);
    await driver.webviewClick('#edit');
    await eventually('the request in the test panel', async () => (await driver.webviewText()).find((t) => t.includes('Route: chat') && t.includes('History')));
    await vscode.commands.executeCommand('aiGateway.stop');
  });
});
