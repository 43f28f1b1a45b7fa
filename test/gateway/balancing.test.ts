// Each balancing mode's distribution over real mock backends, told apart by their x-mock-instance header.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { CHAT, configFromYaml, send, startTestGateway } from './support';

async function countBy(url: string, requests: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < requests; i++) {
    const answer = await send(url, { body: CHAT });
    assert.equal(answer.status, 200);
    const name = String(answer.headers['x-mock-instance']);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

describe('load balancing', () => {
  const mocks: MockServer[] = [];
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  const route = (name: string, mode: string, targets: string): string =>
    `  - { name: ${name}, path: /${name}, methods: [POST], loadBalancing: ${mode}, targets: [${targets}] }`;

  before(async () => {
    for (const name of ['a', 'b', 'c']) mocks.push(await startMockServer({ options: { name } }));
    const [a, b, c] = mocks.map((mock) => `${mock.url}/echo`);
    gateway = await startTestGateway(
      configFromYaml(`routes:
${route('rr', 'round-robin', `${a}, ${b}, ${c}`)}
${route('weighted', 'weighted', `{ url: ${a}, weight: 3 }, { url: ${b}, weight: 1 }`)}
${route('least-connections', 'least-connections', `${a}, ${b}`)}
${route('least-latency', 'least-latency', `${a}, ${b}`)}
`),
    );
  });
  after(async () => {
    await gateway.close();
    await Promise.all(mocks.map((mock) => mock.close()));
  });
  afterEach(() => mocks.forEach((mock) => mock.setOptions({ latencyMs: 0 })));

  it('round-robin spreads requests evenly', async () => {
    assert.deepEqual(await countBy(`${gateway.url}/rr`, 30), { a: 10, b: 10, c: 10 });
  });

  it('weighted follows the weights (3:1), interleaved', async () => {
    assert.deepEqual(await countBy(`${gateway.url}/weighted`, 40), { a: 30, b: 10 });
  });

  it('least-connections avoids the target that is busy', async () => {
    const aBefore = mocks[0]!.requestCount;
    const arrived = Promise.race([once(mocks[0]!.requests, 'request'), once(mocks[1]!.requests, 'request')]);
    const pending = send(`${gateway.url}/least-connections`, { body: CHAT, headers: { 'x-mock-latency': '1000' } });
    await arrived;
    const busy = mocks[0]!.requestCount > aBefore ? 'a' : 'b';
    const idle = busy === 'a' ? 'b' : 'a';
    assert.deepEqual(
      await countBy(`${gateway.url}/least-connections`, 6),
      { [idle]: 6 },
      'while one target holds a request, the idle one takes all the others',
    );
    assert.equal((await pending).headers['x-mock-instance'], busy);
  });

  it('least-latency prefers the target that answers faster', async () => {
    mocks[0]!.setOptions({ latencyMs: 40 });
    const counts = await countBy(`${gateway.url}/least-latency`, 20);
    assert.ok((counts.b ?? 0) >= 18, `b (fast) should get nearly all: ${JSON.stringify(counts)}`);
    assert.ok((counts.a ?? 0) >= 1, 'a is tried once to learn its latency');
  });
});
