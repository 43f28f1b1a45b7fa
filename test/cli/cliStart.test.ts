// The real CLI as a user runs it: `start` on the example config prints the listening line (stdout, JSON) and a
// banner with a curl line that works (run with the real curl); SIGTERM closes it cleanly. `mock` serves alone.
import { strict as assert } from 'node:assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { ProcessEvents } from '../../common/src/protocol';
import { cliCommand, repoRoot } from '../support/cli';
import { send } from '../gateway/support';

const run = promisify(execFile);

function spawnCli(args: string[]): ChildProcess {
  const { command, args: fullArgs } = cliCommand(args);
  return spawn(command, fullArgs, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The first stdout JSON line with this msg. */
async function lineWithMsg(child: ChildProcess, msg: string): Promise<Record<string, unknown>> {
  const lines = createInterface({ input: child.stdout! });
  for await (const text of lines) {
    const line = JSON.parse(text) as Record<string, unknown>;
    if (line.msg === msg) return line;
  }
  throw new Error(`the process ended before logging "${msg}"`);
}

async function stderrUntil(child: ChildProcess, pattern: RegExp): Promise<string> {
  let text = '';
  for await (const chunk of child.stderr!) {
    text += String(chunk);
    if (pattern.test(text)) return text;
  }
  throw new Error(`stderr ended without ${pattern}: ${text}`);
}

describe('ai-gateway-cli start / mock', () => {
  it('starts on the example config, prints a curl line that works, and exits 0 on SIGTERM', async () => {
    const child = spawnCli(['start', '--config', path.join('examples', 'ai-gateway.yaml'), '--port', '0']);
    try {
      const [listening, bannerText] = await Promise.all([lineWithMsg(child, ProcessEvents.listening), stderrUntil(child, /curl .*\n/)]);
      const url = String(listening.url);
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(listening.adminUrl, url);
      assert.ok(bannerText.includes(url));
      const curl = /^\s*(curl .*)$/m.exec(bannerText)?.[1];
      assert.ok(curl, 'the banner has a curl line');
      const { stdout } = await run('sh', ['-c', curl]);
      const reply = JSON.parse(stdout) as { object: string; choices: { message: { content: string } }[] };
      assert.equal(reply.object, 'chat.completion');
      assert.ok(reply.choices[0]?.message.content);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });

  it('refuses to start on a config with errors, printing FILE:LINE:COL diagnostics, exit 1', async () => {
    const child = spawnCli(['start', '--config', path.join('test', 'gateway', 'fixtures', 'broken.yaml'), '--port', '0']);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1);
    assert.match(stderr, /broken\.yaml:\d+:\d+: error: /);
  });

  it('runs the mock standalone on a free port', async () => {
    const child = spawnCli(['mock', '--port', '0']);
    try {
      const line = await lineWithMsg(child, 'mock listening');
      const answer = await send(`${String(line.url)}/v1/embeddings`, { body: { input: 'abc' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.json<{ data: { embedding: number[] }[] }>().data[0]?.embedding.length, 8);
    } finally {
      child.kill('SIGINT');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
