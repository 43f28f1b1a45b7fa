// The fault test: under steady load, one of two backend processes is killed (SIGKILL); with retries on, no client
// request fails. The count of failed requests is printed for the report.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { cliCommand } from '../support/cli';
import { CHAT, configFromYaml, send, startTestGateway } from './support';

async function startMockProcess(name: string): Promise<{ child: ChildProcess; url: string }> {
  const { command, args } = cliCommand(['mock', '--port', '0', '--name', name]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  for await (const line of createInterface({ input: child.stdout })) {
    const url = (JSON.parse(line) as { url?: string }).url;
    if (url) return { child, url };
  }
  throw new Error(`mock ${name} exited before listening`);
}

describe('fault: a backend dies under load', () => {
  it('loses no request when one of two backends is killed, with retries on', async () => {
    const [first, second] = await Promise.all([startMockProcess('one'), startMockProcess('two')]);
    const gateway = await startTestGateway(
      configFromYaml(`routes:
  - name: chat
    path: /v1/chat/completions
    methods: [POST]
    targets: [${first.url}, ${second.url}]
    retries: 2
    retryOn: [connect-error, timeout, 502, 503, 504]
`),
    );
    let completed = 0;
    let failed = 0;
    const failures: string[] = [];
    let killedAt = -1;
    const total = 1500;
    const worker = async (): Promise<void> => {
      while (completed + failed < total) {
        try {
          const answer = await send(`${gateway.url}/v1/chat/completions`, { body: CHAT });
          if (answer.status === 200) completed += 1;
          else {
            failed += 1;
            failures.push(`${answer.status} ${answer.text}`);
          }
        } catch (err) {
          failed += 1;
          failures.push(String(err));
        }
        if (killedAt < 0 && completed >= 300) {
          killedAt = completed;
          first.child.kill('SIGKILL');
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: 16 }, worker));
    } finally {
      await gateway.close();
      second.child.kill('SIGTERM');
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      await once(second.child, 'exit');
    }
    process.stdout.write(`      fault test: ${completed + failed} requests, backend killed after ${killedAt}, failed: ${failed}\n`);
    assert.ok(killedAt > 0);
    assert.equal(failed, 0, failures.slice(0, 3).join('\n'));
  });
});
