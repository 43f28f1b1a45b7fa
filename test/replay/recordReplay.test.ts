// Record, then replay, through real processes: `ai-gateway-cli record` in front of the built-in mock writes fixtures;
// a gateway whose route targets `replay://` serves them back byte for byte, streams with their recorded pacing; a
// request nobody recorded gets a 404 naming the closest fixture; route tests run against the fixtures without a key.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { FIXTURE_RECORDED } from '../../runtime/src/replay/recorder';
import { startGatewayProcess } from '../admin/gatewayProcess';
import { cliCommand, repoRoot } from '../support/cli';

const STREAMED = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Tell me a short story' }] };
const PLAIN = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] };
/** The mock's pause between streamed events while recording: the recorded pacing a replay must keep. */
const CHUNK_DELAY_MS = 40;

interface Received {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  chunks: number;
  firstToLastMs: number;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Received> {
  const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const parts: Buffer[] = [];
  let first: number | undefined;
  let last = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    last = performance.now();
    first ??= last;
    parts.push(chunk);
  }
  return { status: response.statusCode, headers: response.headers, body: Buffer.concat(parts), chunks: parts.length, firstToLastMs: last - (first ?? last) };
}

describe('record and replay', function () {
  this.timeout(60_000);
  const chat = (target: string, extra = ''): string => `routes:\n  - name: chat\n    path: /v1/chat/completions\n    target: ${target}\n${extra}`;
  let fixtures: string;
  let recorded: { streamed: Received; plain: Received };

  before(async () => {
    fixtures = path.join(await mkdtemp(path.join(tmpdir(), 'ai-gateway-fixtures-')), 'fixtures');
    const recorder = await startGatewayProcess(chat('mock://openai'), { command: 'record', args: ['--out', fixtures] });
    try {
      const streamed = await post(`${recorder.url}/v1/chat/completions`, STREAMED, {
        authorization: 'Bearer sk-live-do-not-record-me',
        'x-mock-chunk-delay': String(CHUNK_DELAY_MS),
      });
      const plain = await post(`${recorder.url}/v1/chat/completions?api_key=sk-query-secret`, PLAIN);
      await recorder.waitForLog(FIXTURE_RECORDED, 2);
      recorded = { streamed, plain };
    } finally {
      await recorder.stop();
    }
  });

  it('writes one fixture per exchange, with the stream as timed chunks and no credential', async () => {
    const files = (await readdir(fixtures)).sort();
    assert.equal(files.length, 2);
    assert.ok(
      files.every((file) => /^chat-post-[0-9a-f]{12}\.json$/.test(file)),
      files.join(', '),
    );
    const texts = await Promise.all(files.map((file) => readFile(path.join(fixtures, file), 'utf8')));
    for (const text of texts) {
      assert.doesNotMatch(text, /sk-live|sk-query-secret|authorization/i);
    }
    const streamed = texts
      .map((text) => JSON.parse(text) as { request: { body: { json: unknown } }; response: { chunks: { atMs: number }[] } })
      .find((f) => (f.request.body.json as { stream?: boolean }).stream);
    assert.ok(streamed);
    assert.deepEqual(streamed.request.body.json, STREAMED);
    assert.ok(streamed.response.chunks.length > 3, 'the stream is kept as the chunks that arrived');
    const times = streamed.response.chunks.map((chunk) => chunk.atMs);
    assert.deepEqual(
      [...times].sort((a, b) => a - b),
      times,
      'chunk times only go forward',
    );
  });

  it('replays a streamed answer byte for byte, with its recorded pacing, and a plain one the same', async () => {
    const replaying = await startGatewayProcess(chat(`replay://${fixtures}`));
    try {
      // Key order and spacing do not matter: the body is matched as JSON.
      const reordered = { messages: STREAMED.messages, stream: true, model: 'gpt-4o-mini' };
      const streamed = await post(`${replaying.url}/v1/chat/completions`, reordered);
      assert.equal(streamed.status, 200);
      assert.match(String(streamed.headers['content-type']), /text\/event-stream/);
      assert.ok(streamed.body.equals(recorded.streamed.body), 'the same bytes as the recorded answer');
      // The mock paused CHUNK_DELAY_MS between events; a recorded-pace replay cannot be quicker than those pauses.
      const events = streamed.body.toString('utf8').split('\n\n').filter(Boolean).length;
      assert.ok(streamed.firstToLastMs >= (events - 2) * CHUNK_DELAY_MS * 0.9, `${streamed.firstToLastMs} ms for ${events} events`);
      const plain = await post(`${replaying.url}/v1/chat/completions`, PLAIN);
      assert.equal(plain.status, 200);
      assert.ok(plain.body.equals(recorded.plain.body));
    } finally {
      await replaying.stop();
    }
    const instant = await startGatewayProcess(chat(`replay://${fixtures}?pace=instant`));
    try {
      assert.ok((await post(`${instant.url}/v1/chat/completions`, STREAMED)).body.equals(recorded.streamed.body));
    } finally {
      await instant.stop();
    }
  });

  it('answers a request nobody recorded with a 404 that names the closest fixture and the difference', async () => {
    const replaying = await startGatewayProcess(chat(`replay://${fixtures}`));
    try {
      const other = await post(`${replaying.url}/v1/chat/completions`, { ...PLAIN, messages: [{ role: 'user', content: 'Say goodbye' }] });
      assert.equal(other.status, 404);
      const error = (JSON.parse(other.body.toString('utf8')) as { error: { type: string; message: string; closest: string } }).error;
      assert.equal(error.type, 'replay_fixture_not_found');
      assert.ok((await readdir(fixtures)).includes(error.closest));
      assert.match(error.message, /route "chat"/);
      assert.match(error.message, new RegExp(`closest is .*${error.closest}`));
      assert.match(error.message, /messages\[0\]\.content: recorded "Say hello", sent "Say goodbye"/);
      assert.match(error.message, /ai-gateway-cli record/);
    } finally {
      await replaying.stop();
    }
  });

  it('runs route tests against the fixtures, with the relative replay://fixtures/ of the config, and no provider key', async () => {
    const dir = path.dirname(fixtures);
    const file = path.join(dir, 'ci.gateway.yaml');
    await writeFile(
      file,
      chat(
        'replay://fixtures/?pace=instant',
        `    tests:
      - name: says hello
        body: ${JSON.stringify(PLAIN)}
        expect: { status: 200, json: { object: chat.completion } }
      - name: streams
        body: ${JSON.stringify(STREAMED)}
        expect: { status: 200, headers: { content-type: text/event-stream } }
`,
      ),
    );
    const { command, args } = cliCommand(['test', file]);
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (/OPENAI|ANTHROPIC|API_KEY/.test(name)) delete env[name];
    const { stdout } = await promisify(execFile)(command, args, { cwd: repoRoot, env });
    assert.match(stdout, /says hello/);
    assert.match(stdout, /2 passed/);
  });
});

describe('record and replay of a provider route', function () {
  this.timeout(60_000);
  const PROVIDER_KEY = 'sk-ant-recorded-never-7f3a';
  const providerRoute = `routes:
  - name: chat
    path: /v1/chat/completions
    targets:
      - { provider: anthropic, url: "mock://anthropic", apiKeyEnv: REPLAY_ANTHROPIC_KEY, model: claude-sonnet-4-5 }
`;

  it('records what the client got (OpenAI-shaped, translated) without the provider key, and replays it byte for byte with no key', async () => {
    const fixtures = path.join(await mkdtemp(path.join(tmpdir(), 'ai-gateway-provider-fixtures-')), 'fixtures');
    const recorder = await startGatewayProcess(providerRoute, { command: 'record', args: ['--out', fixtures], env: { REPLAY_ANTHROPIC_KEY: PROVIDER_KEY } });
    let recorded: { streamed: Received; plain: Received };
    try {
      recorded = { streamed: await post(`${recorder.url}/v1/chat/completions`, STREAMED), plain: await post(`${recorder.url}/v1/chat/completions`, PLAIN) };
      await recorder.waitForLog(FIXTURE_RECORDED, 2);
    } finally {
      await recorder.stop();
    }
    assert.equal(recorded.plain.status, 200);
    assert.equal((JSON.parse(recorded.plain.body.toString('utf8')) as { object: string }).object, 'chat.completion', 'the client got the translated answer');
    const texts = await Promise.all((await readdir(fixtures)).map((file) => readFile(path.join(fixtures, file), 'utf8')));
    assert.equal(texts.length, 2);
    for (const text of texts) assert.doesNotMatch(text, new RegExp(`${PROVIDER_KEY}|x-api-key`, 'i'));

    const replaying = await startGatewayProcess(`routes:\n  - name: chat\n    path: /v1/chat/completions\n    target: replay://${fixtures}?pace=instant\n`, {
      env: { REPLAY_ANTHROPIC_KEY: undefined },
    });
    try {
      const streamed = await post(`${replaying.url}/v1/chat/completions`, STREAMED);
      assert.equal(streamed.status, 200);
      assert.ok(streamed.body.equals(recorded.streamed.body), 'the translated stream, as the client got it');
      assert.match(streamed.body.toString('utf8'), /"object":"chat\.completion\.chunk"[\s\S]*data: \[DONE\]/);
      assert.ok((await post(`${replaying.url}/v1/chat/completions`, PLAIN)).body.equals(recorded.plain.body));
    } finally {
      await replaying.stop();
    }
  });
});
