// The response cache with gateway.workers: 2 and no Redis, `ai-gateway-cli start` on a real config over real sockets:
// the primary keeps the one store, so an answer stored via one worker is a hit on the other (JSON, a stream replayed
// byte for byte, a semantic paraphrase), its TTL and byte bounds hold for both together, Cache-Control applies across
// them, the admin API's purge empties it once for both, a worker started again after a crash finds it, and a primary
// that does not answer makes a miss (logged and counted), never an error. Which worker served a request is read from
// its access line; each request goes on a connection of its own, so the primary hands them to the workers in turn.
import { strict as assert } from 'node:assert';
import { Client, request } from 'undici';
import { ProcessEvents, type Admin } from '../../common/src/protocol';
import { adminCall, startGatewayProcess, type GatewayProcess, type LogLine } from '../admin/gatewayProcess';
import { startEmbeddingUpstream, type EmbeddingUpstream } from '../support/embeddingUpstream';

const MAX_MEMORY = 8 * 1024;

interface Served {
  worker: number;
  cache: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  line: LogLine;
}

describe('gateway.workers: 2, the response cache in the primary without Redis', function () {
  this.timeout(60_000);
  let embeddings: EmbeddingUpstream;
  let gateway: GatewayProcess;

  before(async () => {
    embeddings = await startEmbeddingUpstream();
    gateway = await startGatewayProcess(`version: 1
gateway: { listen: 127.0.0.1:0, logLevel: info, workers: 2, cache: { maxMemory: 8kb } }
routes:
  - { name: cached, path: /cached/v1/chat/completions, stripPrefix: /cached, methods: [POST], target: "mock://openai", cache: { by: route } }
  - { name: brief, path: /brief/v1/chat/completions, stripPrefix: /brief, methods: [POST], target: "mock://openai", cache: { by: route, ttl: 2s } }
  - { name: small, path: /small/v1/chat/completions, stripPrefix: /small, methods: [POST], target: "mock://openai", cache: { by: route, maxEntrySize: 100b } }
  - name: semantic
    path: /semantic/v1/chat/completions
    stripPrefix: /semantic
    methods: [POST]
    target: "mock://openai"
    cache: { mode: semantic, similarity: 0.9, by: route, embeddings: { route: embeddings } }
  - { name: embeddings, path: /v1/embeddings, methods: [POST], target: "${embeddings.url}" }
security:
  - { endpoint: /*, auth: none }
`);
  });

  after(async () => {
    await gateway?.stop();
    await embeddings?.close();
  });

  const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra });

  async function accessLine(requestId: string): Promise<LogLine> {
    const find = (): LogLine | undefined => gateway.logs.find((line) => line.msg === ProcessEvents.request && line.requestId === requestId);
    while (!find()) await gateway.waitForLog(ProcessEvents.request, gateway.logs.filter((line) => line.msg === ProcessEvents.request).length + 1);
    return find()!;
  }

  /** One request on a connection of its own; resolves once its access line is logged (what it stored is stored). */
  async function post(route: string, body: unknown, headers: Record<string, string> = {}): Promise<Served> {
    const res = await request(`${gateway.url}/${route}/v1/chat/completions`, {
      method: 'POST',
      reset: true,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    const line = await accessLine(String(res.headers['x-request-id']));
    return { worker: Number(line.worker), cache: String(res.headers['x-gateway-cache']), status: res.statusCode, headers: res.headers, body: text, line };
  }

  /** Requests one by one, the first included, until both workers served one (or 40 were sent). */
  async function untilBothServed(route: string, body: unknown, headers: Record<string, string> = {}): Promise<Served[]> {
    const served: Served[] = [];
    while (new Set(served.map((answer) => answer.worker)).size < 2 && served.length < 40) served.push(await post(route, body, headers));
    assert.deepEqual([...new Set(served.map((answer) => answer.worker))].sort(), [1, 2], 'both workers served');
    return served;
  }

  async function metrics(): Promise<string> {
    const res = await request(`${gateway.url}/metrics`, { reset: true });
    return res.body.text();
  }

  function sample(exposition: string, series: string): number | undefined {
    const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  it('serves on the other worker the answer one worker stored, without the upstream', async () => {
    const served = await untilBothServed('cached', chat('Stored once, served by both workers.'));
    assert.deepEqual(
      served.map((answer) => answer.cache),
      ['miss', ...served.slice(1).map(() => 'hit')],
    );
    const other = served.find((answer) => answer.worker !== served[0]!.worker)!;
    assert.equal(other.body, served[0]!.body);
    assert.ok(Number(other.headers.age) >= 0, 'a hit says its age');
    assert.equal(other.line.upstream, undefined, 'the other worker never called an upstream for it');
  });

  it('replays on the other worker a streamed answer byte for byte', async () => {
    const served = await untilBothServed('cached', chat('Stream me from either worker.', { stream: true }));
    assert.equal(served[0]!.cache, 'miss');
    assert.match(served[0]!.body, /data: \[DONE\]/);
    const other = served.find((answer) => answer.worker !== served[0]!.worker)!;
    assert.equal(other.cache, 'hit');
    assert.equal(String(other.headers['content-type']), String(served[0]!.headers['content-type']));
    assert.equal(other.body, served[0]!.body, 'the stored chunks, as the first client got them');
  });

  it('finds on the other worker the paraphrase of a prompt one worker stored (semantic cache)', async () => {
    const first = await post('semantic', chat('How do I reset my password?'));
    assert.equal(first.cache, 'miss');
    const served = await untilBothServed('semantic', chat('How can I recover my passcode?'));
    assert.deepEqual(
      served.map((answer) => answer.cache),
      served.map(() => 'hit'),
      'every worker finds the stored embedding',
    );
    for (const answer of served) assert.equal(answer.body, first.body);
    assert.equal((await post('semantic', chat('What is the capital of France?'))).cache, 'miss', 'an unrelated prompt misses');
  });

  it('applies Cache-Control across workers: no-store stores nothing, no-cache asks the upstream', async () => {
    const body = chat('Do not keep this, on any worker.');
    const unstored = await post('cached', body, { 'cache-control': 'no-store' });
    assert.equal(unstored.cache, 'miss');
    const served = await untilBothServed('cached', body);
    assert.equal(served[0]!.cache, 'miss', 'nothing was stored by the no-store request');
    for (const answer of served.slice(1)) assert.equal(answer.cache, 'hit');
    const bypassed = await untilBothServed('cached', body, { 'cache-control': 'no-cache' });
    for (const answer of bypassed) assert.equal(answer.cache, 'bypass');
  });

  it('serves the answer stored last on every worker, not a copy of the one it replaced', async () => {
    const body = chat('Replace me on both workers.');
    const first = await untilBothServed('cached', body); // both workers served the first answer: each keeps a copy
    for (const answer of first.slice(1)) assert.equal(answer.body, first[0]!.body);
    const replacement = await post('cached', body, { 'cache-control': 'no-cache' }); // asks the upstream, stores its answer
    assert.equal(replacement.cache, 'bypass');
    assert.notEqual(replacement.body, first[0]!.body, 'the mock answers with a new id each time');
    const after = await untilBothServed('cached', body);
    for (const answer of after) {
      assert.equal(answer.cache, 'hit');
      assert.equal(answer.body, replacement.body, `worker ${answer.worker} serves the replacement`);
    }
  });

  it('drops an answer after its TTL for both workers', async () => {
    const body = chat('Brief, on both workers.');
    const stored = await post('brief', body);
    assert.equal(stored.cache, 'miss');
    // The entry's 2 s run out while the workers take turns: then one of them misses, and stores it again.
    const served: Served[] = [];
    while (served.at(-1)?.cache !== 'miss' && served.length < 60) {
      served.push(await post('brief', body));
      if (served.at(-1)!.cache === 'hit') await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const hits = served.filter((answer) => answer.cache === 'hit');
    assert.deepEqual([...new Set(hits.map((answer) => answer.worker))].sort(), [1, 2], 'both workers hit before it expired');
    for (const hit of hits) assert.ok(Number(hit.headers.age) <= 2, `age ${String(hit.headers.age)} within the TTL`);
    assert.equal(served.at(-1)!.cache, 'miss', 'expired');
    const again = await untilBothServed('brief', body);
    for (const answer of again) assert.equal(answer.cache, 'hit', 'stored again by the miss, for both');
  });

  it('keeps no answer above maxEntrySize, and the store within gateway.cache.maxMemory for both workers together', async () => {
    const small = await untilBothServed('small', chat('Too large for a 100-byte entry.'));
    for (const answer of small) {
      assert.equal(answer.cache, 'miss');
      assert.match(String((answer.line.cache as { reason?: string }).reason), /larger than maxEntrySize \(100 bytes\): not stored/);
    }

    // 24 answers of about 650 bytes each: twice what the 8 KiB bound holds, and more than either worker alone stored.
    const prompts = Array.from({ length: 24 }, (_, i) => chat(`Fill the store, answer ${i}.`));
    const stored = [];
    for (const prompt of prompts) stored.push(await post('cached', prompt));
    assert.deepEqual([...new Set(stored.map((answer) => answer.worker))].sort(), [1, 2]);
    const exposition = await metrics();
    const bytes = sample(exposition, 'ai_gateway_cache_bytes')!;
    assert.ok(bytes > MAX_MEMORY / 2 && bytes <= MAX_MEMORY, `${bytes} bytes held, at most ${MAX_MEMORY} for both workers`);
    assert.ok(sample(exposition, 'ai_gateway_cache_entries')! < prompts.length, 'the least recently used went');
    assert.equal((await post('cached', prompts[0])).cache, 'miss', 'the first answer was evicted');
    const last = await untilBothServed('cached', prompts.at(-1));
    for (const answer of last) assert.equal(answer.cache, 'hit', 'the last answer is kept, for both');
  });

  it('purges the one store once through the admin API', async () => {
    const body = chat('Purge me from both workers.');
    await untilBothServed('cached', body);
    const purged = await adminCall<Admin.CachePurged>(gateway.url, 'DELETE', '/api/v1/routes/cached/cache');
    assert.equal(purged.status, 200);
    assert.equal(purged.json.route, 'cached');
    assert.ok(purged.json.purged >= 1, `${purged.json.purged} answers purged`);
    const after = await untilBothServed('cached', body);
    assert.deepEqual(
      after.map((answer) => answer.cache),
      ['miss', ...after.slice(1).map(() => 'hit')],
      'one miss after the purge, whichever worker',
    );
  });

  it('serves the cache to a worker started again after a crash', async () => {
    const body = chat('Still here after a crash.');
    assert.equal((await post('cached', body)).cache, 'miss');
    const ready = gateway.logs.filter((line) => line.msg === ProcessEvents.workerReady);
    const victim = ready.filter((line) => line.worker === 1).at(-1)!;
    process.kill(Number(victim.pid), 'SIGKILL');
    await gateway.waitForLog(ProcessEvents.workerReady, ready.length + 1);
    const served = await untilBothServed('cached', body);
    for (const answer of served) assert.equal(answer.cache, 'hit', `worker ${answer.worker}`);
  });

  it('answers from the upstream while the primary does not answer, logs the outage once and counts it', async () => {
    const body = chat('Asked while the primary sleeps.');
    const client = new Client(gateway.url, { pipelining: 1 }); // one connection: one worker, while the primary cannot hand out new ones
    try {
      const ask = async (): Promise<{ cache: string; status: number; text: string }> => {
        const res = await client.request({
          method: 'POST',
          path: '/cached/v1/chat/completions',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { cache: String(res.headers['x-gateway-cache']), status: res.statusCode, text: await res.body.text() };
      };
      assert.equal((await ask()).cache, 'miss');
      assert.equal((await ask()).cache, 'hit');
      gateway.kill('SIGSTOP');
      let during;
      try {
        during = await ask();
      } finally {
        gateway.kill('SIGCONT');
      }
      assert.equal(during.status, 200);
      assert.equal(during.cache, 'bypass', 'the store did not answer in time: the upstream answered');
      const unavailable = await gateway.waitForLog('response cache store unavailable');
      assert.equal(unavailable.store, 'primary process');
      // The outage ends at the first operation the primary answers again (one probe a second).
      let after = await ask();
      while (after.cache === 'bypass') {
        await new Promise((resolve) => setTimeout(resolve, 250));
        after = await ask();
      }
      assert.equal(after.cache, 'hit');
      await gateway.waitForLog('response cache store recovered');
      assert.equal(gateway.logs.filter((line) => line.msg === 'response cache store unavailable').length, 1, 'logged once');
      assert.ok((sample(await metrics(), 'ai_gateway_shared_store_failures_total{store="response cache"}') ?? 0) >= 1, 'counted');
    } finally {
      await client.close();
    }
  });
});
