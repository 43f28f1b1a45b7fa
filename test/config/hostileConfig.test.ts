// Hostile config files, as the attack run wrote them: many keys in one mapping load in time linear in their number,
// alias amplification is refused, a file over the size cap is refused before it is read (by the config model, the
// CLI and the admin API), an admin change is validated off the event loop so traffic keeps flowing meanwhile, and a
// start that fails exits non-zero with nothing left listening.
import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, loadConfigFile, MAX_CONFIG_BYTES } from '../../common/src/config';
import { adminCall, startGatewayProcess } from '../admin/gatewayProcess';
import { runCli } from '../cli/support';
import { freePort } from '../support/redisServer';

const keys = (count: number, indent: string): string => Array.from({ length: count }, (_, i) => `${indent}key${i}: value${i}`).join('\n');

const PLACES: Record<string, (count: number) => string> = {
  'unknown keys at the top level (a diagnostic each)': (count) => `${keys(count, '')}\n`,
  'keys of a free-form example body': (count) => `routes:\n  - path: /x\n    target: mock://openai\n    example:\n      body:\n${keys(count, '        ')}\n`,
  'header conditions of a route': (count) => `routes:\n  - path: /x\n    target: mock://openai\n    match:\n      headers:\n${keys(count, '        ')}\n`,
};

/** CPU time of the quickest of three loads (CPU, not wall clock: the machine is shared with other work). */
function loadCpuMs(text: string): number {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const started = process.cpuUsage();
    loadConfig(text, { env: {} });
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

function tempFile(name: string, content: string | Buffer): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'gw-hostile-')), name);
  writeFileSync(file, content);
  return file;
}

describe('config model: hostile config files', function () {
  this.timeout(60_000);

  for (const [place, text] of Object.entries(PLACES)) {
    it(`loads 40,000 ${place} in time proportional to 4,000 (linear: ~10x, quadratic: ~100x)`, () => {
      loadCpuMs(text(4_000)); // warm-up: the parser and ajv are optimized after a few runs
      const small = loadCpuMs(text(4_000));
      const large = loadCpuMs(text(40_000));
      assert.ok(large < 35 * small, `4,000 keys: ${small.toFixed(0)} ms CPU, 40,000: ${large.toFixed(0)} ms CPU (${(large / small).toFixed(1)}x)`);
    });
  }

  it('lists at most 200 schema problems and says how many more there were', () => {
    const { diagnostics } = loadConfig(`${keys(1_000, '')}\n`, { env: {} });
    assert.equal(diagnostics.length, 201);
    assert.equal(diagnostics[200]?.code, 'config.moreDiagnostics');
    assert.match(diagnostics[200]?.message ?? '', /^800 more problem\(s\) after this one are not listed\.$/);
  });

  it('refuses alias amplification, and a repeated key, with a diagnostic each', () => {
    const levels = ['a0: &a0 "' + 'x'.repeat(100_000) + '"'];
    for (let i = 1; i <= 3; i++)
      levels.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const [bomb] = loadConfig(`${levels.join('\n')}\nroutes: []\n`, { env: {} }).diagnostics;
    assert.equal(bomb?.code, 'yaml.aliases');
    assert.match(bomb?.message ?? '', /its aliases add more than 1048576 nodes and characters/);
    // Anchors reused a few times, as a config shares a block of targets, are fine.
    const shared = loadConfig('x-targets: &targets [{ url: "http://127.0.0.1:9" }]\n', { env: {} }).diagnostics;
    assert.deepEqual(
      shared.map((d) => d.code),
      ['schema.unknownKey'],
    );
    const [repeated] = loadConfig('routes: []\nroutes: []\n', { env: {} }).diagnostics;
    assert.deepEqual(
      [repeated?.code, repeated?.range.start.line, repeated?.message],
      ['yaml.duplicateKey', 1, 'Duplicate key "routes": this mapping already sets "routes" on line 1. Keep one of them.'],
    );
  });

  it(`refuses a file over ${MAX_CONFIG_BYTES} bytes before reading it: the model, validate and start`, async () => {
    const file = tempFile('huge.gateway.yaml', `# ai-gateway\n${'#'.repeat(MAX_CONFIG_BYTES)}\nroutes: []\n`);
    const loaded = await loadConfigFile(file, { env: {} });
    assert.deepEqual(
      loaded.diagnostics.map((d) => d.code),
      ['config.tooLarge'],
    );
    assert.match(loaded.diagnostics[0]!.message, /^The config is 4194329 bytes, more than the 4194304 bytes \(4 MiB\) the gateway loads\.$/);
    const validate = await runCli(['validate', file], {});
    assert.equal(validate.code, 1);
    assert.match(validate.stdout + validate.stderr, /huge\.gateway\.yaml:1:1: error: The config is 4194329 bytes/);
    const start = await runCli(['start', '--config', file, '--port', '0'], {});
    assert.equal(start.code, 1);
    assert.match(start.stderr, /the gateway did not start/);
  });

  it('exits 1 when the start fails after the gateway listened, and leaves nothing listening', async () => {
    const taken = net.createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = await freePort();
    try {
      const file = tempFile(
        'admin-taken.gateway.yaml',
        `gateway:\n  listen: 127.0.0.1:${port}\n  admin: { listen: "127.0.0.1:${(taken.address() as net.AddressInfo).port}" }\nroutes: []\n`,
      );
      const start = await runCli(['start', '--config', file], { AI_GATEWAY_API_KEY: 'admin-key-for-this-test-0123456789' });
      assert.equal(start.code, 1, start.stderr);
      assert.match(start.stderr, /^Error: .*EADDRINUSE/m);
      const probe = net.connect(port, '127.0.0.1');
      const [error] = (await once(probe, 'error')) as [NodeJS.ErrnoException];
      assert.equal(error.code, 'ECONNREFUSED', 'the gateway port is closed again');
    } finally {
      taken.close();
    }
  });

  describe('admin changes', () => {
    it(`answers 413 to a PUT /config over ${MAX_CONFIG_BYTES} bytes`, async () => {
      const gateway = await startGatewayProcess('routes:\n  - { path: /ping, target: mock://openai }\nsecurity:\n  - { endpoint: /ping, auth: none }\n');
      try {
        const answer = await adminCall(gateway.url, 'PUT', '/api/v1/config', {
          body: `routes: []\n${'#'.repeat(MAX_CONFIG_BYTES)}\n`,
          contentType: 'application/yaml',
        });
        assert.equal(answer.status, 413);
        assert.match(answer.text, /larger than 4194304 bytes \(4 MiB\)/);
      } finally {
        await gateway.stop();
      }
    });

    it('validates a large PUT /config off the event loop: requests sent meanwhile are answered before it', async () => {
      const gateway = await startGatewayProcess(
        'routes:\n  - { path: /v1/models, target: mock://openai }\nsecurity:\n  - { endpoint: /v1/models, auth: none }\n',
      );
      try {
        // ~3.5 MB that takes the config model a while, wrong only at its very end.
        const body = `routes:\n  - path: /x\n    target: mock://openai\n    example:\n      body:\n${keys(120_000, '        ')}\nnot-a-key: true\n`;
        const events: string[] = [];
        const { hostname, port } = new URL(gateway.url);
        const put = http.request({
          host: hostname,
          port,
          method: 'PUT',
          path: '/api/v1/config',
          headers: { authorization: 'Bearer test-admin-key-3f9c1a7e', 'content-type': 'application/yaml' },
        });
        const putAnswered = new Promise<number>((resolve, reject) => {
          put.on('response', (res) => {
            res.resume();
            events.push('PUT answered');
            resolve(res.statusCode ?? 0);
          });
          put.on('error', reject);
        });
        put.end(body);
        await once(put, 'finish'); // the whole body is on its way
        const pings: Promise<number>[] = [];
        for (let i = 0; i < 3; i++) {
          pings.push(
            fetch(`${gateway.url}/v1/models`).then((res) => {
              events.push('ping answered');
              return res.status;
            }),
          );
          await pings[i];
        }
        assert.equal(await putAnswered, 422);
        assert.deepEqual(await Promise.all(pings), [200, 200, 200]);
        assert.deepEqual(events, ['ping answered', 'ping answered', 'ping answered', 'PUT answered']);
      } finally {
        await gateway.stop();
      }
    });
  });
});
