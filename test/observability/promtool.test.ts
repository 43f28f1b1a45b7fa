// The real promtool (Debian's `prometheus` package, installed by scripts/install-test-deps.sh) checks what /metrics
// serves once every kind of request has been through the gateway: each family named and typed as Prometheus
// expects (no gauge ending in `_total`, counters ending in it, help on every family).
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { CHAT, send, startTestGateway } from '../gateway/support';
import { closedPortUrl, configOf, promtoolCheck, scrape } from './support';

const KEY = 'promtool-test-key';

describe('observability: /metrics passes promtool', function () {
  this.timeout(20_000);
  let mock: MockServer;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    mock = await startMockServer({ options: { name: 'promtool' } });
    const dead = await closedPortUrl();
    const digest = createHash('sha256').update(KEY).digest('hex');
    gateway = await startTestGateway(
      configOf(`
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mock.url}, healthCheck: { path: /health, interval: 1m } }
  - { name: dead, path: /dead, target: ${dead}, retries: 0 }
  - { name: pair, path: /pair, targets: [{ url: ${dead} }, { url: ${mock.url} }], retries: 1 }
security:
  - { endpoint: /v1/chat/completions, auth: api-key, apiKeys: [{ name: team, sha256: ${digest} }], rateLimit: { requests: 2/min, tokens: 100000/min } }
  - { endpoint: /dead, auth: none }
  - { endpoint: /pair, auth: none }
`),
    );
  });
  after(async () => {
    await gateway?.close();
    await mock?.close();
  });

  it('exits 0 on the exposition after answered, refused, limited, failed and retried requests', async () => {
    assert.equal((await send(`${gateway.url}/v1/chat/completions`, { body: CHAT, headers: { 'x-api-key': KEY } })).status, 200);
    assert.equal((await send(`${gateway.url}/v1/chat/completions`, { body: CHAT })).status, 401);
    await send(`${gateway.url}/v1/chat/completions`, { body: CHAT, headers: { 'x-api-key': KEY } });
    assert.equal((await send(`${gateway.url}/v1/chat/completions`, { body: CHAT, headers: { 'x-api-key': KEY } })).status, 429);
    assert.equal((await send(`${gateway.url}/dead`)).status, 502);
    assert.equal((await send(`${gateway.url}/pair/x`)).status, 404);
    await send(`${gateway.url}/pair`, { body: CHAT });
    const exposition = await scrape(gateway.url);
    const { code, output } = await promtoolCheck(exposition);
    assert.equal(code, 0, `promtool check metrics said:\n${output}`);
  });
});
