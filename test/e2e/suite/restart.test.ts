// A crashed local gateway: the extension says so (a notification), restarts it with a doubling backoff on
// the port it served, and requests work again; Stop afterwards still leaves no process.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { GatewayState } from '../../../client/src/gatewayProcess';
import { driver } from './driver';
import { eventually, extensionApi, nextEvent, openFixture } from './workbench';

type Running = Extract<GatewayState, { kind: 'running' }>;
type Crashed = Extract<GatewayState, { kind: 'crashed' }>;
const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function chatStatus(url: string): Promise<number> {
  const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody });
  await response.text();
  return response.status;
}

describe('a crashed local gateway', () => {
  after(() => vscode.commands.executeCommand('aiGateway.stop'));

  /** Kills the gateway process as a crash would, and resolves with the crash and the restart the extension makes. */
  async function crash(running: Running): Promise<{ crashed: Crashed; restarted: Running }> {
    const api = await extensionApi();
    const crashed = nextEvent(api.gateway.onDidChangeState, (s) => s.kind === 'crashed');
    const restarted = nextEvent(api.gateway.onDidChangeState, (s) => s.kind === 'running', 30_000);
    process.kill(running.pid, 'SIGKILL');
    return { crashed: (await crashed) as Crashed, restarted: (await restarted) as Running };
  }

  it('is reported, restarted with backoff on the same port, and serves again', async () => {
    await openFixture('ai-gateway.yaml');
    const api = await extensionApi();
    const url = await vscode.commands.executeCommand<string | undefined>('aiGateway.start');
    const first = api.gateway.state as Running;
    assert.equal(first.kind, 'running');
    assert.equal(await chatStatus(first.url), 200);

    const { crashed, restarted } = await crash(first);
    assert.match(crashed.message, /The local gateway exited with signal SIGKILL/);
    assert.equal(crashed.restartInMs, 1_000, 'the first restart comes after 1 s');
    await eventually('the crash notification', async () =>
      (await driver.workbenchText('.notifications-toasts')).join('\n').includes('The local gateway exited with signal SIGKILL; restarting it in 1 s.'),
    );
    assert.equal(isAlive(first.pid), false);
    assert.notEqual(restarted.pid, first.pid);
    assert.equal(restarted.url, url, 'back on the port clients already use');
    assert.equal(await chatStatus(restarted.url), 200);

    // A second crash soon after waits twice as long.
    const again = await crash(restarted);
    assert.equal(again.crashed.restartInMs, 2_000);
    assert.equal(await chatStatus(again.restarted.url), 200);

    await vscode.commands.executeCommand('aiGateway.stop');
    assert.equal(api.gateway.state.kind, 'stopped');
    assert.equal(isAlive(again.restarted.pid), false, 'Stop after a restart leaves no process');
  });
});
