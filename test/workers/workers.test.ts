// gateway.workers: 2 as users run it, `ai-gateway-cli start` on a real config with real sockets: one port answered by
// both workers, a request limit and a token limit exact across them under concurrency, one /metrics adding both up,
// admin changes and file edits in force in every worker, a killed worker started again, and a stop that lets a
// streamed answer finish. Which worker served a request is read from its access line ("worker": 1 or 2).
import { strict as assert } from 'node:assert';
import { writeFile } from 'node:fs/promises';
import { request } from 'undici';
import { ProcessEvents, type Webhook } from '../../common/src/protocol';
import { ADMIN_KEY, adminCall, startGatewayProcess, type GatewayProcess, type LogLine } from '../admin/gatewayProcess';
import { promtoolCheck, WebhookReceiver } from '../observability/support';
import { startRedisServer, type RedisServer } from '../support/redisServer';

const REQUEST_LIMIT = 30; // per minute on GET /v1/models
const TOKEN_LIMIT = 300; // per minute per consumer on POST /v1/completions
const TEAM_KEY = 'team-a-workers-key-0123456789';

const config = (extraRoutes = ''): string => `version: 1
gateway:
  listen: 127.0.0.1:0
  logLevel: info
  workers: 2
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: "mock://openai" }
  - { name: models, path: /v1/models, methods: [GET], target: "mock://openai" }
  - { name: completions, path: /v1/completions, methods: [POST], target: "mock://openai" }
${extraRoutes}security:
  - endpoint: /v1/chat/completions
    auth: none
  - endpoint: /v1/models
    auth: none
    rateLimit: { requests: ${REQUEST_LIMIT}/min, by: route }
  - endpoint: /v1/completions
    auth: api-key
    apiKeys: [{ name: team-a, keyEnv: TEAM_A_KEY }]
    rateLimit: { tokens: ${TOKEN_LIMIT}/min, by: consumer }
`;

interface Answer {
  status: number;
  requestId: string;
  body: string;
}

/** One request on a connection of its own, so that the primary hands it to the next worker in turn. */
async function send(gateway: GatewayProcess, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(`${gateway.url}${path}`, {
    method,
    reset: true,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.statusCode, requestId: String(res.headers['x-request-id']), body: await res.body.text() };
}

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

/** The access lines of these requests, once all are logged (a worker writes its line as the answer ends). */
async function accessLines(gateway: GatewayProcess, answers: Answer[]): Promise<LogLine[]> {
  const ids = new Set(answers.map((answer) => answer.requestId));
  const logged = (): LogLine[] => gateway.logs.filter((line) => line.msg === ProcessEvents.request && ids.has(String(line.requestId)));
  while (logged().length < ids.size) await gateway.waitForLog(ProcessEvents.request, gateway.logs.filter((l) => l.msg === ProcessEvents.request).length + 1);
  return logged();
}

function servedBy(lines: LogLine[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of lines) counts.set(Number(line.worker), (counts.get(Number(line.worker)) ?? 0) + 1);
  return counts;
}

function statusCounts(answers: Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
  return counts;
}

async function metrics(gateway: GatewayProcess): Promise<string> {
  const res = await request(`${gateway.url}/metrics`, { reset: true });
  return res.body.text();
}

function sample(exposition: string, series: string): number {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('gateway.workers: 2 processes on one port', function () {
  this.timeout(60_000);
  let gateway: GatewayProcess;

  before(async () => {
    gateway = await startGatewayProcess(config(), { env: { TEAM_A_KEY: TEAM_KEY } });
  });

  after(async () => {
    await gateway?.stop();
  });

  it('starts both workers and serves from both on the one port', async () => {
    const ready = gateway.logs.filter((line) => line.msg === ProcessEvents.workerReady);
    assert.deepEqual(ready.map((line) => line.worker).sort(), [1, 2]);
    assert.equal(gateway.logs.filter((line) => line.msg === ProcessEvents.listening).length, 1, 'one "gateway listening" line, from the primary');
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(gateway, 'POST', '/v1/chat/completions', chat)));
    assert.deepEqual(statusCounts(answers), { 200: 20 });
    const served = servedBy(await accessLines(gateway, answers));
    assert.deepEqual([...served.keys()].sort(), [1, 2], `both workers answered: ${JSON.stringify([...served])}`);
  });

  it(`admits exactly ${REQUEST_LIMIT} of ${3 * REQUEST_LIMIT} concurrent requests spread over both workers`, async () => {
    const answers = await Promise.all(Array.from({ length: 3 * REQUEST_LIMIT }, () => send(gateway, 'GET', '/v1/models')));
    assert.deepEqual(statusCounts(answers), { 200: REQUEST_LIMIT, 429: 2 * REQUEST_LIMIT });
    // Which worker's requests come first to the primary's counter is up to scheduling; both asked it, concurrently.
    assert.equal(servedBy(await accessLines(gateway, answers)).size, 2, 'both workers took part of the burst');
  });

  it('never spends more than one token budget, whichever worker admits', async () => {
    const auth = { authorization: `Bearer ${TEAM_KEY}` };
    // Each reserves its prompt estimate and max_tokens up front; 40 at once would be ~5x the budget.
    const prompt = { model: 'gpt-4o-mini', prompt: 'Summarize the design of worker processes in one line.', max_tokens: 12 };
    const answers = await Promise.all(Array.from({ length: 40 }, () => send(gateway, 'POST', '/v1/completions', prompt, auth)));
    const admitted = answers.filter((answer) => answer.status === 200);
    const spent = admitted.reduce((sum, answer) => sum + (JSON.parse(answer.body) as { usage: { total_tokens: number } }).usage.total_tokens, 0);
    const reservation = Math.ceil(JSON.stringify(prompt).length / 4) + prompt.max_tokens;
    assert.ok(spent <= TOKEN_LIMIT, `spent ${spent} of ${TOKEN_LIMIT} tokens`);
    assert.ok(admitted.length >= Math.floor(TOKEN_LIMIT / reservation), `${admitted.length} admitted, each reserving ${reservation}`);
    assert.equal(admitted.length + (statusCounts(answers)[429] ?? 0), 40);
    assert.equal(servedBy(await accessLines(gateway, answers)).size, 2, 'both workers took part of the burst');
  });

  it('answers /metrics with both workers added up, on either worker', async () => {
    const before = await metrics(gateway);
    const series = 'ai_gateway_requests_total{route="chat",method="POST",status="200"}';
    const answers = await Promise.all(Array.from({ length: 10 }, () => send(gateway, 'POST', '/v1/chat/completions', chat)));
    assert.equal(servedBy(await accessLines(gateway, answers)).size, 2);
    const scrapes = await Promise.all([metrics(gateway), metrics(gateway)]); // one connection each: one per worker
    for (const scrape of scrapes) assert.equal(sample(scrape, series) - sample(before, series), 10);
    assert.equal(sample(scrapes[0], 'ai_gateway_rate_limit_rejections_total{route="models",limit="requests"}'), 2 * REQUEST_LIMIT);
    assert.equal((scrapes[0].match(/^# TYPE ai_gateway_requests_total counter$/gm) ?? []).length, 1, 'each family once');
    const promtool = await promtoolCheck(scrapes[0]);
    assert.equal(promtool.code, 0, `promtool check metrics said:\n${promtool.output}`);
    // The rolling summary of the admin API adds them up too.
    const summary = await adminCall<{ routes: { route: string; count: number }[] }>(gateway.url, 'GET', '/api/v1/metrics?route=models');
    assert.equal(summary.json.routes[0]?.count, 3 * REQUEST_LIMIT);
  });

  it('finds a traced request whichever worker is asked', async () => {
    const traced = await send(gateway, 'POST', '/v1/chat/completions', chat, { 'x-gateway-trace': '1', 'x-gateway-admin-key': ADMIN_KEY });
    for (let i = 0; i < 4; i++) {
      const trace = await adminCall<{ requestId: string }>(gateway.url, 'GET', `/api/v1/traces/${traced.requestId}`, { headers: { connection: 'close' } });
      assert.equal(trace.status, 200);
      assert.equal(trace.json.requestId, traced.requestId);
    }
  });

  it('applies an admin API change in every worker, and writes the file once', async () => {
    const created = await adminCall(gateway.url, 'POST', '/api/v1/routes', {
      body: { name: 'predict', path: '/predict', target: 'mock://openai', method: 'POST' },
    });
    assert.equal(created.status, 201);
    const answers = await Promise.all(Array.from({ length: 10 }, () => send(gateway, 'POST', '/predict', { inputs: [1, 2] })));
    assert.deepEqual(statusCounts(answers), { 200: 10 });
    assert.equal(servedBy(await accessLines(gateway, answers)).size, 2);
    assert.match(await gateway.readFile(), /path: \/predict/);
  });

  it('applies an edit of the file in every worker', async () => {
    const applied = gateway.logs.filter((line) => line.msg === ProcessEvents.configApplied).length;
    await writeFile(gateway.file, config('  - { name: embed, path: /v1/embeddings, methods: [POST], target: "mock://openai" }\n'));
    await gateway.waitForLog(ProcessEvents.configApplied, applied + 1);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => send(gateway, 'POST', '/v1/embeddings', { model: 'text-embedding-3-small', input: 'hi' })),
    );
    assert.deepEqual(statusCounts(answers), { 200: 10 });
    assert.equal(servedBy(await accessLines(gateway, answers)).size, 2);
  });

  it('starts a killed worker again, in its slot', async () => {
    const first = gateway.logs.find((line) => line.msg === ProcessEvents.workerReady && line.worker === 1)!;
    const readyBefore = gateway.logs.filter((line) => line.msg === ProcessEvents.workerReady).length;
    process.kill(Number(first.pid), 'SIGKILL');
    const exited = await gateway.waitForLog(ProcessEvents.workerExited);
    assert.equal(exited.worker, 1);
    assert.equal(exited.signal, 'SIGKILL');
    const again = await gateway.waitForLog(ProcessEvents.workerReady, readyBefore + 1);
    assert.equal(again.worker, 1);
    assert.notEqual(again.pid, first.pid);
    // The new worker runs the config as it is now (the file's edit), and both serve again.
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => send(gateway, 'POST', '/v1/embeddings', { model: 'text-embedding-3-small', input: 'hi' })),
    );
    assert.deepEqual(statusCounts(answers), { 200: 10 });
    assert.equal(servedBy(await accessLines(gateway, answers)).size, 2);
    assert.equal(sample(await metrics(gateway), 'ai_gateway_worker_restarts_total{worker="1"}'), 1);
  });

  it('sets the log level in every worker, and a worker started later starts at it', async () => {
    const scrapeLines = async (): Promise<LogLine[]> => {
      const scrapes = await Promise.all(Array.from({ length: 4 }, () => send(gateway, 'GET', '/metrics')));
      return accessLines(gateway, scrapes); // scrapes of /metrics are logged at debug only
    };
    const set = await adminCall(gateway.url, 'PUT', '/api/v1/log-level', { body: { level: 'debug', persist: false } });
    assert.equal(set.status, 200);
    assert.equal(servedBy(await scrapeLines()).size, 2);
    const second = gateway.logs.filter((line) => line.msg === ProcessEvents.workerReady && line.worker === 2).pop()!;
    const ready = gateway.logs.filter((line) => line.msg === ProcessEvents.workerReady).length;
    process.kill(Number(second.pid), 'SIGKILL');
    assert.equal((await gateway.waitForLog(ProcessEvents.workerReady, ready + 1)).worker, 2);
    assert.equal(servedBy(await scrapeLines()).size, 2, 'the new worker 2 logs its scrapes too');
    await adminCall(gateway.url, 'PUT', '/api/v1/log-level', { body: { level: 'info', persist: false } });
  });

  it('on SIGTERM lets a streamed answer finish, then every process exits', async () => {
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-chunk-delay': '50' },
      body: JSON.stringify({ ...chat, stream: true }),
    });
    assert.equal(res.statusCode, 200);
    const chunks: string[] = [];
    const received = new Promise<void>((resolve, reject) => {
      res.body.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
      res.body.on('end', resolve);
      res.body.on('error', reject);
    });
    await new Promise((resolve) => res.body.once('data', resolve)); // the stream is under way
    gateway.kill('SIGTERM');
    await received;
    assert.match(chunks.join(''), /data: \[DONE\]\n\n$/);
    assert.equal(await gateway.exited, 0);
    const line = gateway.logs.find((candidate) => candidate.msg === ProcessEvents.request && candidate.requestId === res.headers['x-request-id']);
    assert.equal((line?.upstream as { outcome?: string } | undefined)?.outcome, 'complete');
  });
});

describe('gateway.workers: 2, webhooks sent once by the primary', function () {
  this.timeout(60_000);
  let receiver: WebhookReceiver;
  let gateway: GatewayProcess;

  before(async () => {
    receiver = await new WebhookReceiver().start();
    const text = `version: 1
gateway: { listen: 127.0.0.1:0, logLevel: info, workers: 2 }
routes:
  - { name: models, path: /v1/models, methods: [GET], target: "mock://openai" }
security:
  - { endpoint: /v1/models, auth: none, rateLimit: { requests: 2/min, by: route } }
callback: ${receiver.url}
`;
    gateway = await startGatewayProcess(text);
  });

  after(async () => {
    await gateway?.stop();
    await receiver?.close();
  });

  it('tells each config change once, and the refusals of both workers in one window', async () => {
    const atStart = await receiver.waitFor((delivery) => delivery.event.type === 'config.applied'); // as one process does
    const changed = await adminCall(gateway.url, 'PUT', '/api/v1/security/%2Fv1%2Fmodels', { body: { rateLimit: '3/min' } });
    assert.equal(changed.status, 200);
    const applied = await receiver.waitFor((delivery) => delivery.event.type === 'config.applied' && delivery !== atStart);
    assert.equal((applied.event.data as Webhook.EventData['config.applied']).source, 'admin-api');
    const answers = await Promise.all(Array.from({ length: 12 }, () => send(gateway, 'GET', '/v1/models')));
    assert.deepEqual(statusCounts(answers), { 200: 3, 429: 9 });
    assert.equal(servedBy(await accessLines(gateway, answers)).size, 2, 'both workers took part');
    gateway.kill('SIGTERM'); // the primary sends the open window on its way out
    const refusals = await receiver.waitFor((delivery) => delivery.event.type === 'ratelimit.exceeded');
    assert.equal((refusals.event.data as Webhook.EventData['ratelimit.exceeded']).count, 9);
    assert.equal(await gateway.exited, 0);
    assert.equal(receiver.ofType('config.applied').length, 2, 'not once per worker');
    assert.equal(receiver.ofType('ratelimit.exceeded').length, 1);
  });
});

describe('gateway.workers: 2 with a Redis store', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let gateway: GatewayProcess;

  before(async () => {
    redis = await startRedisServer();
    const text = `version: 1
gateway:
  listen: 127.0.0.1:0
  logLevel: info
  workers: 2
  store: { redis: { url: "${redis.url}", keyPrefix: "workers-test:" }, onStoreFailure: local, replicas: 1 }
routes:
  - { name: models, path: /v1/models, methods: [GET], target: "mock://openai" }
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: "mock://openai" }
security:
  - { endpoint: /v1/models, auth: none, rateLimit: { requests: ${REQUEST_LIMIT}/min, by: route } }
  - { endpoint: /v1/chat/completions, auth: none, rateLimit: { requests: ${REQUEST_LIMIT}/min, by: route } }
`;
    gateway = await startGatewayProcess(text);
  });

  after(async () => {
    await gateway?.stop();
    await redis?.stop();
  });

  it('counts in Redis, and while Redis is down counts the local share once in the primary for both workers', async () => {
    const shared = await Promise.all(Array.from({ length: 2 * REQUEST_LIMIT }, () => send(gateway, 'GET', '/v1/models')));
    assert.deepEqual(statusCounts(shared), { 200: REQUEST_LIMIT, 429: REQUEST_LIMIT });
    await redis.stop();
    await gateway.waitForLog(ProcessEvents.storeUnavailable, 2); // each worker's store says so
    // One replica's share is the whole limit: counted once in the primary, not once in each worker (which would let 2x in).
    const local = await Promise.all(Array.from({ length: 3 * REQUEST_LIMIT }, () => send(gateway, 'POST', '/v1/chat/completions', chat)));
    assert.deepEqual(statusCounts(local), { 200: REQUEST_LIMIT, 429: 2 * REQUEST_LIMIT });
    assert.equal(servedBy(await accessLines(gateway, local)).size, 2, 'both workers took part');
  });
});

describe('gateway.workers: 2 with the admin API on its own listener', function () {
  this.timeout(60_000);
  let gateway: GatewayProcess;

  before(async () => {
    const text = `version: 1
gateway: { listen: 127.0.0.1:0, logLevel: info, workers: 2, admin: { listen: 127.0.0.1:0 } }
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: "mock://openai" }
security:
  - { endpoint: /v1/chat/completions, auth: none }
`;
    gateway = await startGatewayProcess(text);
  });

  after(async () => {
    await gateway?.stop();
  });

  it('is served by the primary there, and the gateway port refuses the admin key', async () => {
    assert.notEqual(gateway.adminUrl, gateway.url);
    const created = await adminCall(gateway.adminUrl, 'POST', '/api/v1/routes', { body: { name: 'predict', path: '/predict', target: 'mock://openai' } });
    assert.equal(created.status, 201);
    const answers = await Promise.all(Array.from({ length: 6 }, () => send(gateway, 'POST', '/predict', { inputs: [1] })));
    assert.deepEqual(statusCounts(answers), { 200: 6 });
    assert.equal(servedBy(await accessLines(gateway, answers)).size, 2);
    const misdirected = await adminCall(gateway.url, 'GET', '/api/v1/routes');
    assert.equal(misdirected.status, 421);
    // As with one process, health is answered where the admin API listens: here by the primary, for the gateway.
    const ready = await adminCall<{ status: string; configVersion: number }>(gateway.adminUrl, 'GET', '/readyz', { auth: null });
    assert.deepEqual(ready.json, { status: 'ready', configVersion: 2 });
  });
});
