// Plaintext secrets written into the config never leave through the admin API, and the redaction marker is never
// written back over them.
import { strict as assert } from 'node:assert';
import type { Admin } from '../../common/src/protocol';
import { adminCall, startGatewayProcess, type GatewayProcess } from './gatewayProcess';

const PLAIN_KEY = 'plain-key-value-9f3e1c';
const PLAIN_SECRET = 'plain-jwt-secret-5d2a7b-long-enough-for-hs256';
const CONFIG = `# ai-gateway
routes:
  - { name: chat, path: /v1/chat/completions, target: mock://openai }
  - { name: predict, path: /predict, target: mock://openai }
security:
  - endpoint: /v1/chat/completions
    auth: api-key
    apiKeys:
      - { name: ci, key: ${PLAIN_KEY} }   # warned about: belongs in keyEnv
  - endpoint: /predict
    auth: jwt
    jwt: { secret: ${PLAIN_SECRET} }
`;

describe('admin API: plaintext secrets in the config', function () {
  let gw: GatewayProcess;
  before(async () => {
    gw = await startGatewayProcess(CONFIG, {});
  });
  after(async () => gw?.stop());

  it('GET /config shows neither the key nor the secret, as YAML or as JSON', async () => {
    const yaml = await adminCall(gw.url, 'GET', '/api/v1/config');
    assert.equal(yaml.status, 200);
    assert.ok(!yaml.text.includes(PLAIN_KEY) && !yaml.text.includes(PLAIN_SECRET), yaml.text);
    assert.match(yaml.text, /key: <redacted>/);
    assert.match(yaml.text, /# warned about: belongs in keyEnv/, 'the rest of the file, comments included, is as written');
    const json = await adminCall<Admin.ConfigDocument>(gw.url, 'GET', '/api/v1/config?format=json');
    assert.ok(!json.text.includes(PLAIN_KEY) && !json.text.includes(PLAIN_SECRET));
  });

  it('refuses a PUT that sends the marker back, leaving the file and its secrets untouched', async () => {
    const before = await gw.readFile();
    const shown = await adminCall(gw.url, 'GET', '/api/v1/config');
    const refused = await adminCall<Admin.ErrorResponse>(gw.url, 'PUT', '/api/v1/config', { body: shown.text, contentType: 'application/yaml' });
    assert.equal(refused.status, 400);
    assert.match(refused.json.error.message, /security\[0\]\.apiKeys\[0\]\.key, security\[1\]\.jwt\.secret still reads <redacted>/);
    assert.ok(!refused.text.includes(PLAIN_KEY));
    assert.equal(await gw.readFile(), before);
  });
});

describe('admin API: API-key digests in the config', function () {
  const DIGEST = 'b'.repeat(64);
  const OTHER = 'c'.repeat(64);
  const WITH_DIGESTS = `# ai-gateway
routes:
  - { name: chat, path: /v1/chat/completions, target: mock://openai }
security:
  - endpoint: /v1/chat/completions
    auth: api-key
    apiKeys:
      - { name: ci, sha256: ${DIGEST} }
      - { name: ops, sha256: ${OTHER} }
`;
  let gw: GatewayProcess;
  before(async () => {
    gw = await startGatewayProcess(WITH_DIGESTS, {});
  });
  after(async () => gw?.stop());

  it('GET /config hides digests as GET /security does, in YAML and JSON', async () => {
    const yaml = await adminCall(gw.url, 'GET', '/api/v1/config');
    assert.ok(!yaml.text.includes(DIGEST) && !yaml.text.includes(OTHER), yaml.text);
    assert.match(yaml.text, /sha256: <redacted>/);
    const json = await adminCall(gw.url, 'GET', '/api/v1/config?format=json');
    assert.ok(!json.text.includes(DIGEST) && !json.text.includes(OTHER));
    const security = await adminCall(gw.url, 'GET', '/api/v1/security');
    assert.ok(!security.text.includes(DIGEST));
  });

  it('GET, edit, PUT keeps each digest (matched by endpoint and key name); a marker it cannot match is refused', async () => {
    const shown = await adminCall(gw.url, 'GET', '/api/v1/config');
    const edited = shown.text.replace('target: mock://openai }', 'target: mock://openai, timeout: 20s }');
    const applied = await adminCall(gw.url, 'PUT', '/api/v1/config', { body: edited, contentType: 'application/yaml' });
    assert.equal(applied.status, 200, applied.text);
    const file = await gw.readFile();
    assert.ok(file.includes(`name: ci, sha256: ${DIGEST}`) && file.includes(`name: ops, sha256: ${OTHER}`), file);
    assert.match(file, /timeout: 20s/);
    const asJson = await adminCall<Admin.ConfigDocument>(gw.url, 'GET', '/api/v1/config?format=json');
    const jsonBody = JSON.stringify(asJson.json.config);
    assert.ok(jsonBody.includes('"sha256":"<redacted>"'));
    const appliedJson = await adminCall(gw.url, 'PUT', '/api/v1/config', { body: jsonBody, contentType: 'application/json' });
    assert.equal(appliedJson.status, 200, appliedJson.text);
    const afterJson = await gw.readFile();
    assert.ok(afterJson.includes(DIGEST) && afterJson.includes(OTHER), afterJson);
    const renamed = shown.text.replace('name: ci,', 'name: ci-2,');
    const refused = await adminCall<Admin.ErrorResponse>(gw.url, 'PUT', '/api/v1/config', { body: renamed, contentType: 'application/yaml' });
    assert.equal(refused.status, 400);
    assert.match(refused.json.error.message, /security\[0\]\.apiKeys\[0\]\.sha256 still reads <redacted>/);
  });
});

describe('admin API: user and password in URLs of the config', function () {
  const PASSWORD = 'url-pass-7c1e9d';
  const TOKEN = 'url-token-4b8a2f';
  const WITH_USERINFO = `# ai-gateway
routes:
  - { name: basic, path: /basic, target: "http://svc:${PASSWORD}@127.0.0.1:9/v1" }
  - name: token
    path: /token
    targets:
      - url: https://${TOKEN}@127.0.0.1:9
      - url: https://other@127.0.0.1:10
`;
  let gw: GatewayProcess;
  before(async () => {
    gw = await startGatewayProcess(WITH_USERINFO, {});
  });
  after(async () => gw?.stop());

  it('GET /config shows no userinfo of any URL, in YAML and JSON; the rest of the URL stays readable', async () => {
    const yaml = await adminCall(gw.url, 'GET', '/api/v1/config');
    assert.equal(yaml.status, 200);
    assert.ok(!yaml.text.includes(PASSWORD) && !yaml.text.includes(TOKEN) && !yaml.text.includes('other@'), yaml.text);
    assert.match(yaml.text, /target: "http:\/\/<redacted>@127\.0\.0\.1:9\/v1"/);
    assert.match(yaml.text, /url: https:\/\/<redacted>@127\.0\.0\.1:10\n/);
    const json = await adminCall(gw.url, 'GET', '/api/v1/config?format=json');
    assert.ok(!json.text.includes(PASSWORD) && !json.text.includes(TOKEN));
  });

  it('GET, edit, PUT keeps the userinfo of each URL; a marker that could stand for two URLs is refused', async () => {
    const shown = await adminCall(gw.url, 'GET', '/api/v1/config');
    const edited = shown.text.replace('path: /basic,', 'path: /basic, timeout: 20s,');
    const applied = await adminCall(gw.url, 'PUT', '/api/v1/config', { body: edited, contentType: 'application/yaml' });
    assert.equal(applied.status, 200, applied.text);
    const file = await gw.readFile();
    assert.equal(file, WITH_USERINFO.replace('path: /basic,', 'path: /basic, timeout: 20s,'), 'only the edit changed the file');
    // Two URLs that differ only in their userinfo read the same redacted: a marker there could be either.
    const twins = file.replace('https://other@127.0.0.1:10', 'https://other@127.0.0.1:9');
    assert.equal((await adminCall(gw.url, 'PUT', '/api/v1/config', { body: twins, contentType: 'application/yaml' })).status, 200);
    const shownTwins = await adminCall(gw.url, 'GET', '/api/v1/config');
    const refused = await adminCall<Admin.ErrorResponse>(gw.url, 'PUT', '/api/v1/config', { body: shownTwins.text, contentType: 'application/yaml' });
    assert.equal(refused.status, 400);
    assert.match(refused.json.error.message, /routes\[1\]\.targets\[0\]\.url, routes\[1\]\.targets\[1\]\.url still reads <redacted>/);
    assert.ok(!refused.text.includes(TOKEN) && !refused.text.includes(PASSWORD));
    assert.equal(await gw.readFile(), twins);
  });
});
