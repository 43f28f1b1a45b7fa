import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { LspClient, ourServerCommand } from './lspClient';

/** The nice value of each thread of a process, the main thread's under `main` (Linux /proc). */
function threadNiceness(pid: number): { main: number; others: number[] } {
  let main = NaN;
  const others: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'latin1');
    // Fields after the parenthesised command name: nice is the 19th field of the line, the 17th after it.
    const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    if (Number(task) === pid) main = nice;
    else others.push(nice);
  }
  return { main, others };
}

// The server's V8 worker threads (optimizing compiler, collector helpers) yield to its main thread on a busy
// machine; the main thread, which answers the editor, keeps the priority it was started with.
describe('language server thread priority (Linux)', function () {
  this.timeout(60_000);
  const clients: LspClient[] = [];
  after(() => clients.forEach((c) => c.kill()));

  async function started(env: NodeJS.ProcessEnv): Promise<{ client: LspClient; pid: number }> {
    const client = new LspClient(ourServerCommand(), {}, env);
    clients.push(client);
    await client.initialize();
    assert.ok(client.pid !== undefined);
    return { client, pid: client.pid };
  }

  it('runs the worker threads at nice 19 and the main thread at the priority it was given, and says so', async () => {
    const { client, pid } = await started(process.env);
    const { main, others } = threadNiceness(pid);
    assert.equal(main, getPriority(process.pid));
    // Node starts V8's platform with 4 worker threads and a delayed-task thread before any script runs.
    assert.ok(others.filter((n) => n === 19).length >= 4, `worker threads' nice values: ${others.join(', ')}`);
    const line = client.logMessages.find((m) => m.startsWith('background threads at nice 19: '));
    assert.ok(line && Number(line.split(': ')[1]) >= 4, `log: ${client.logMessages.join(' | ')}`);
  });

  it('leaves every thread as it started with AI_GATEWAY_LS_BACKGROUND_PRIORITY=normal', async () => {
    const { client, pid } = await started({ ...process.env, AI_GATEWAY_LS_BACKGROUND_PRIORITY: 'normal' });
    const { main, others } = threadNiceness(pid);
    assert.equal(main, getPriority(process.pid));
    assert.deepEqual(
      others.filter((n) => n !== main),
      [],
    );
    assert.ok(!client.logMessages.some((m) => m.startsWith('background threads')));
  });

  it('answers an open with the same diagnostics either way', async () => {
    const text = 'routes:\n  - name: chat\n    path: /v1/chat\n    target: mock://openai\n    loadBalancng: weighted\n';
    const uri = 'file:///tmp/project/ai-gateway.yaml';
    const answers = [];
    for (const env of [process.env, { ...process.env, AI_GATEWAY_LS_BACKGROUND_PRIORITY: 'normal' }]) {
      const { client } = await started(env);
      await client.open(uri, text);
      answers.push((await client.nextDiagnostics(uri)).diagnostics);
    }
    assert.ok((answers[0] ?? []).length > 0);
    assert.deepEqual(answers[0], answers[1]);
  });
});
