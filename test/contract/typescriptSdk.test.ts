// The TypeScript SDK against schemas/admin-api.openapi.json, as the Python SDK is (pythonSdk.test): every operation
// called through the SDK on a real gateway process, refusals included, and every answer validated by the document.
import { strict as assert } from 'node:assert';
import { AIGateway, AIGatewayError } from '../../sdk/src';
import { COMMENTED_CONFIG, chatRequest } from '../admin/fixtures';
import { ADMIN_KEY, startGatewayProcess, type GatewayProcess } from '../admin/gatewayProcess';
import { contractProblems, operations, pathTemplate, recordingFetch, type RecordedAnswer } from './adminContract';

const NOT_CALLED_BY_THE_SDK = ['GET /readyz']; // no SDK call; adminOpenApi.test checks it

async function refusal(call: Promise<unknown>): Promise<AIGatewayError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof AIGatewayError) return err;
    throw err;
  }
  throw new assert.AssertionError({ message: 'the call was not refused' });
}

describe('TypeScript SDK against the OpenAPI document', function () {
  this.timeout(30_000);
  const answers: RecordedAnswer[] = [];
  const fetch = recordingFetch(answers);
  let gw: GatewayProcess;
  let off: GatewayProcess;
  let sdk: AIGateway;

  before(async () => {
    [gw, off] = await Promise.all([startGatewayProcess(COMMENTED_CONFIG), startGatewayProcess(COMMENTED_CONFIG, { env: { AI_GATEWAY_API_KEY: undefined } })]);
    sdk = new AIGateway({ url: gw.url, apiKey: ADMIN_KEY, fetch });
  });
  after(async () => Promise.all([gw?.stop(), off?.stop()]));

  it('routes: create, read, replace, delete, and the refusals 400, 404, 409, 422', async () => {
    await sdk.createRoute({ path: '/predict', target: 'http://ai-service:8080', method: 'POST' });
    assert.equal((await sdk.route('predict')).path, '/predict');
    assert.equal((await sdk.updateRoute('predict', { path: '/predict', target: 'http://ai-service:9090' })).route.targets[0]?.url, 'http://ai-service:9090');
    assert.equal((await refusal(sdk.createRoute({ path: '/predict', target: 'http://ai-service:8080' }))).status, 409);
    assert.equal((await refusal(sdk.createRoute({ path: '/bad', target: 'not a url' }))).status, 422);
    assert.equal((await refusal(sdk.route('nope'))).status, 404);
    assert.equal((await refusal(sdk.createRoute({ path: 5 } as unknown as { path: string }))).status, 422);
    assert.equal((await refusal(sdk.createRoute(['/predict'] as unknown as { path: string }))).status, 400);
    assert.deepEqual(
      (await sdk.routes()).map((r) => r.name),
      ['chat', 'predict'],
    );
    assert.deepEqual((await sdk.deleteRoute('predict')).changes.removed, ['predict']);
  });

  it('security, metrics, traces, log level, health', async () => {
    await sdk.createRoute({ path: '/chat', target: 'http://llm-service:5000' });
    assert.equal((await sdk.updateSecurity('/chat', { authType: 'none', rateLimit: '50/min' })).created, true);
    assert.equal((await sdk.updateSecurity('/chat', { rateLimit: null })).created, false);
    assert.ok((await sdk.security()).some((rule) => rule.endpoint === '/chat'));
    await (await globalThis.fetch(`${gw.url}/v1/chat/completions`, chatRequest())).text();
    assert.ok((await sdk.metrics({ type: 'latency' })).routes.some((r) => r.route === 'chat' && r.count >= 1));
    assert.equal((await refusal(sdk.metrics({ type: 'bogus' as 'latency' }))).status, 400);
    const traced = await globalThis.fetch(`${gw.url}/v1/chat/completions`, {
      ...chatRequest(),
      headers: { 'content-type': 'application/json', 'x-gateway-trace': '1', 'x-gateway-admin-key': ADMIN_KEY },
    });
    await traced.text();
    assert.equal((await sdk.trace(traced.headers.get('x-request-id') ?? '')).status, 200);
    assert.equal((await refusal(sdk.trace('no-such-request'))).status, 404);
    assert.deepEqual(await sdk.setLogLevel('debug', { persist: false }), { level: 'debug', persisted: false });
    assert.equal((await sdk.health()).status, 'ok');
  });

  it('spend and the cache purge, and their refusals', async () => {
    const report = await sdk.spend({ by: 'model', period: 'day' });
    assert.equal(report.by, 'model');
    assert.equal(report.periodKind, 'day');
    assert.equal((await refusal(sdk.spend({ by: 'team' as 'model' }))).status, 400);
    assert.deepEqual(await sdk.purgeCache('chat'), { route: 'chat', purged: 0 });
    assert.equal((await refusal(sdk.purgeCache('nope'))).status, 404);
  });

  it('traffic: the stream of recent requests and one request in detail, 404 once unknown', async () => {
    const watching = new AbortController();
    const entries = sdk.traffic({ signal: watching.signal })[Symbol.asyncIterator]();
    const first = entries.next(); // subscribes: the gateway records from now on
    const sent = await globalThis.fetch(`${gw.url}/v1/chat/completions`, chatRequest());
    await sent.text();
    const requestId = sent.headers.get('x-request-id') ?? '';
    let entry = (await first).value as { requestId: string } | undefined;
    while (entry && entry.requestId !== requestId) entry = (await entries.next()).value as { requestId: string } | undefined;
    assert.equal(entry?.requestId, requestId);
    watching.abort();
    assert.equal((await entries.next()).done, true);
    assert.equal((await sdk.trafficEntry(requestId)).entry.requestId, requestId);
    assert.equal((await refusal(sdk.trafficEntry('no-such-request'))).status, 404);
  });

  it('config: YAML, document, apply with If-Match (412 when stale), 400, 422, 401 and 403', async () => {
    const yaml = await sdk.config();
    const { hash } = await sdk.configDocument();
    const applied = await sdk.applyConfig(yaml.replace('timeout: 30s', 'timeout: 31s'), { ifMatch: hash });
    assert.notEqual(applied.hash, hash);
    assert.equal((await refusal(sdk.applyConfig(yaml, { ifMatch: hash }))).status, 412);
    assert.equal((await refusal(sdk.applyConfig(' '))).status, 400);
    assert.equal((await refusal(sdk.applyConfig('routes: ['))).status, 422);
    assert.equal((await refusal(new AIGateway({ url: gw.url, apiKey: 'wrong', fetch }).routes())).status, 401);
    assert.equal((await refusal(new AIGateway({ url: off.url, apiKey: 'any', fetch }).routes())).status, 403);
  });

  it('received only answers the document describes, for every operation', () => {
    assert.deepEqual(answers.flatMap(contractProblems), []);
    const called = new Set(answers.map((a) => `${a.method} ${pathTemplate(new URL(a.url).pathname) ?? ''}`));
    const expected = operations()
      .map((o) => `${o.method} ${o.path}`)
      .filter((o) => !NOT_CALLED_BY_THE_SDK.includes(o));
    assert.deepEqual(
      expected.filter((o) => !called.has(o)),
      [],
    );
  });
});
