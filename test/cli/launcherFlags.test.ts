// Every way of launching the gateway passes the same node flags (common/src/nodeFlags.ts): the bin's
// shebang (npx, a global install), `npm start`, the Docker image; the extension imports the list itself. A flag
// that only the bench passed would make the bench measure something users do not run. The same for the environment
// they add (GATEWAY_ENV: glibc's trim threshold), but in `npm start`, which must run under cmd.exe too.
import { strict as assert } from 'node:assert';
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../../common/src/nodeFlags';
import { repoRoot } from '../support/cli';

const run = promisify(execFile);
const BIN = path.join(repoRoot, 'bin/ai-gateway-cli.js');

describe('launchers: the gateway node flags', function () {
  this.timeout(30_000);

  it('the bin shebang runs node with them, and the bin runs when executed directly', async () => {
    const firstLine = (await readFile(BIN, 'utf8')).split('\n')[0];
    assert.equal(firstLine, `#!/usr/bin/env -S ${environment()} node ${GATEWAY_NODE_FLAGS.join(' ')}`);
    const { stdout } = await run(BIN, ['--help']);
    assert.match(stdout, /Usage: ai-gateway-cli/);
  });

  it('a gateway started by executing the bin runs with its environment (read back from /proc)', async function () {
    if (process.platform !== 'linux') this.skip(); // /proc/PID/environ
    const child = spawn(BIN, ['start', '--config', path.join(repoRoot, 'examples/ai-gateway.yaml'), '--port', '0', '--no-watch'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += String(chunk);
          if (stderr.includes('listening on')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`the gateway exited (${code}): ${stderr}`)));
      });
      const environ = (await readFile(`/proc/${child.pid}/environ`, 'utf8')).split('\0');
      for (const [name, value] of Object.entries(GATEWAY_ENV)) assert.ok(environ.includes(`${name}=${value}`), `${name}=${value}`);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('npm start passes them before the bin', async () => {
    const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.ok(manifest.scripts.start?.startsWith(`node ${GATEWAY_NODE_FLAGS.join(' ')} bin/ai-gateway-cli.js start `), manifest.scripts.start);
  });

  it('the Docker image passes them before the bin', async () => {
    const dockerfile = await readFile(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    assert.ok(entrypoint, 'the Dockerfile has an exec-form ENTRYPOINT');
    const command = JSON.parse(entrypoint) as string[];
    const node = command.indexOf('node');
    assert.deepEqual(command.slice(node, node + 2 + GATEWAY_NODE_FLAGS.length), ['node', ...GATEWAY_NODE_FLAGS, '/app/bin/ai-gateway-cli.js']);
    for (const [name, value] of Object.entries(GATEWAY_ENV)) assert.match(dockerfile, new RegExp(`^ENV (?:.*\\\\\n)*\\s*${name}=${value}\\b`, 'm'), name);
  });
});

/** GATEWAY_ENV as a shebang's NAME=VALUE words. */
function environment(): string {
  return Object.entries(GATEWAY_ENV)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}
