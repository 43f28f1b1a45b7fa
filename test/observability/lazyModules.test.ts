// A gateway loads the OpenTelemetry SDK, ioredis and jwks-rsa only when its config uses them (tracing, Redis, a JWKS
// rule): a gateway without them does not hold their code (about 15 MB of RSS together, docs/decisions.md). Checked in
// a process of its own, so that no other test has loaded them first; the same gateway then turns tracing on by a
// config change and gets the SDK.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const out = path.resolve(__dirname, '..', '..');
const script = `
const { loadConfig } = require(${JSON.stringify(path.join(out, 'common/src/config'))});
const { startGateway } = require(${JSON.stringify(path.join(out, 'runtime/src/gateway/startGateway'))});
const pino = require('pino');
const loaded = (pattern) => Object.keys(require.cache).some((file) => pattern.test(file));
const modules = () => ({
  otelSdk: loaded(/node_modules\\/@opentelemetry\\/sdk-trace\\//),
  ioredis: loaded(/node_modules\\/ioredis\\//),
  jwksRsa: loaded(/node_modules\\/jwks-rsa\\//),
});
const yaml = (telemetry) =>
  'gateway: { logLevel: warn' + telemetry + ' }\\nroutes:\\n  - { path: /v1/chat/completions, target: "mock://openai" }\\n' +
  'security:\\n  - { endpoint: /v1/chat/completions, auth: api-key, apiKeys: [{ name: a, keyEnv: K }], rateLimit: { requests: 10/min, tokens: 1000/min } }\\n';
const config = (telemetry) => loadConfig(yaml(telemetry), { env: { K: 'sk-lazy-test-key-0123456789' } }).config;
(async () => {
  const gateway = await startGateway({ config: config(''), host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), env: { K: 'sk-lazy-test-key-0123456789' } });
  const plain = modules();
  await gateway.apply(config(', telemetry: { otlp: { endpoint: "http://127.0.0.1:9" } }'), 'admin-api');
  const traced = modules();
  await gateway.close();
  console.log(JSON.stringify({ plain, traced }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

describe('gateway start: libraries a config does not use are not loaded', function () {
  this.timeout(30_000);
  it('starts without the OpenTelemetry SDK, ioredis and jwks-rsa, and loads the SDK when tracing is turned on', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
    assert.deepEqual(JSON.parse(stdout), {
      plain: { otelSdk: false, ioredis: false, jwksRsa: false },
      traced: { otelSdk: true, ioredis: false, jwksRsa: false },
    });
  });
});
