// The bench's floor proxy (floorProxy.ts) over real sockets, in front of the Anthropic mock, started and checked as
// `npm run bench` starts and checks it (floorBench.ts): the floor's figure is only worth something if the proxy does
// the production row's work, and the startup check is what refuses one that skips it.
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { FLOOR_ROWS } from './benchSummary';
import { checkFloorProxy, floorLogFile, floorScenarios } from './floorBench';
import { anthropicRequestOf, chatCompletionOf, FLOOR_CHAT_PATH } from './floorProxy';
import type { Started } from './processes';

/** gateway-bench.ts's TRANSLATED_BODY: what the production row is sent. */
const BODY = JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Say hello' }] });
const API_KEY = 'sk-floor-test-key';
const ANTHROPIC_HEADERS = { 'x-api-key': 'sk-ant-bench', 'anthropic-version': '2023-06-01' };

describe('bench floor proxy', function () {
  this.timeout(30_000);
  let mock: MockServer;
  let workDir: string;
  const started: Started[] = [];
  const scenarios = floorScenarios(
    { body: BODY, anthropicHeaders: ANTHROPIC_HEADERS, nodeFlags: [], nodeEnv: {}, baselineFlags: [], scraped: (scenario) => scenario },
    API_KEY,
  );
  const scenario = (name: string) => scenarios.find((candidate) => candidate.name === name)!;
  const start = async (name: string): Promise<Started> => {
    const proxy = await scenario(name).start(mock.url, workDir);
    started.push(proxy);
    return proxy;
  };
  const post = (url: string, headers: Record<string, string>, body = BODY): Promise<Response> =>
    fetch(`${url}${FLOOR_CHAT_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  before(async () => {
    mock = await startMockServer({ options: { name: 'anthropic-mock', provider: 'anthropic' } });
    workDir = await mkdtemp(path.join(tmpdir(), 'floor-proxy-'));
  });

  after(async () => {
    for (const proxy of started) await proxy.stop();
    await mock.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it("does the production row's work: the bench's startup check passes, and each part is seen from outside", async () => {
    const floor = await start(FLOOR_ROWS.floor); // runs checkFloorProxy, which throws when a part is skipped
    const refused = await post(floor.url, { authorization: 'Bearer sk-wrong' });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error: { type: string } }).error.type, 'unauthorized');
    const answered = await post(floor.url, { authorization: `Bearer ${API_KEY}` });
    assert.equal(answered.status, 200);
    const completion = (await answered.json()) as { object: string; model: string; choices: { message: { content: string }; finish_reason: string }[] };
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, 'claude-haiku-4-5');
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    const metrics = await (await fetch(`${floor.url}/metrics`)).text();
    assert.match(metrics, /^floor_requests_total\{route="chat",method="POST",status="200"\} 2$/m);
    assert.match(metrics, /^floor_requests_total\{route="chat",method="POST",status="401"\} 3$/m);
    assert.match(metrics, /^floor_tokens_total\{route="chat",consumer="bench",type="prompt",provider="anthropic",model="claude-haiku-4-5"\} \d+$/m);
    assert.match(metrics, /^process_cpu_seconds_total /m);
    const log = floorLogFile(workDir, FLOOR_ROWS.floor);
    let lines: { status: number; consumer?: string }[] = [];
    for (let attempt = 0; attempt < 50 && lines.length < 5; attempt++) {
      lines = (await readFile(log, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { status: number; consumer?: string });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(
      lines.map((line) => line.status),
      [200, 401, 401, 401, 200],
    );
    assert.equal(lines[4]?.consumer, 'bench');
  });

  it('translation only: answers without a key, and the startup check refuses it as the full floor', async () => {
    const translating = await start(FLOOR_ROWS.translationOnly);
    const answered = await post(translating.url, {});
    assert.equal(answered.status, 200);
    assert.equal(((await answered.json()) as { object: string }).object, 'chat.completion');
    const log = path.join(workDir, 'empty.log');
    await writeFile(log, '');
    await assert.rejects(checkFloorProxy(translating.url, { apiKey: API_KEY, body: BODY, logFile: log }), /skipped its work: answered 200 without the key/);
  });

  it('the bare proxy row sends the mock the request the floor sends it, and the mock answers it', async () => {
    const bare = scenario(FLOOR_ROWS.bareAnthropic);
    assert.deepEqual(JSON.parse(bare.body!), {
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
    });
    const proxy = await start(FLOOR_ROWS.bareAnthropic);
    const answered = await fetch(`${proxy.url}${bare.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bare.headers },
      body: bare.body!,
    });
    assert.equal(answered.status, 200);
    assert.equal(((await answered.json()) as { type: string }).type, 'message');
  });

  it('translates system turns, text parts and the default max_tokens; answers with tool calls and their finish reason', () => {
    const request = anthropicRequestOf({
      model: 'claude-sonnet-4-6',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hi ' },
            { type: 'text', text: 'there' },
          ],
        },
      ],
    });
    assert.deepEqual(request, {
      model: 'claude-sonnet-4-6',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi there' }] }],
      system: 'Be brief.',
    });
    const { completion, usage } = chatCompletionOf(
      {
        id: 'msg_1',
        model: 'claude-sonnet-4-6',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 1 } }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 5, output_tokens: 7, cache_read_input_tokens: 2, cache_creation_input_tokens: 0 },
      },
      'claude-sonnet-4-6',
      1,
    );
    assert.deepEqual(usage, { prompt: 7, completion: 7, cached: 2 });
    assert.deepEqual((completion.choices as { message: unknown; finish_reason: string }[])[0], {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
  });
});
