// gateway.mockUnreachableTargets / AI_GATEWAY_MOCK_UNREACHABLE_TARGETS: a target this machine cannot reach (its host
// does not resolve, or nothing accepts the connection) is served by the built-in mock, with a log line saying so;
// a reachable target is left alone, and without the setting an unreachable target stays a 502.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import * as net from 'node:net';
import { loadConfig } from '../../common/src/config';
import { CHAT, configFromYaml, send, startTestGateway } from './support';

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function config(targets: Record<string, string>, mockUnreachable: boolean | undefined): ReturnType<typeof configFromYaml> {
  const routes = Object.entries(targets).map(
    ([name, url]) => `  - name: ${name}\n    path: /${name}/v1/chat/completions\n    methods: [POST]\n    target: ${url}\n    stripPrefix: /${name}`,
  );
  const flag = mockUnreachable === undefined ? '' : `  mockUnreachableTargets: ${mockUnreachable}\n`;
  return configFromYaml(`version: 1\ngateway:\n  listen: 127.0.0.1:0\n${flag}routes:\n${routes.join('\n')}\n`);
}

describe('mock for unreachable targets', () => {
  let reachable: http.Server;
  let reachableUrl: string;
  let refusedUrl: string;
  const unresolvableUrl = 'https://no-such-host.invalid';

  before(async () => {
    reachable = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'chat.completion', from: 'the real target' }));
    });
    await new Promise<void>((resolve) => reachable.listen(0, '127.0.0.1', resolve));
    reachableUrl = `http://127.0.0.1:${(reachable.address() as net.AddressInfo).port}`;
    refusedUrl = `http://127.0.0.1:${await closedPort()}`;
  });
  after(() => new Promise<void>((resolve) => reachable.close(() => resolve())));

  it('serves a target whose host does not resolve, and one that refuses connections, with the mock; a reachable one stays real', async () => {
    const gateway = await startTestGateway(config({ unresolvable: unresolvableUrl, refused: refusedUrl, real: reachableUrl }, true), { env: {} });
    try {
      for (const name of ['unresolvable', 'refused']) {
        const answer = await send(`${gateway.url}/${name}/v1/chat/completions`, { body: CHAT });
        assert.equal(answer.status, 200, `${name}: ${answer.text}`);
        assert.match(answer.json<{ choices: { message: { content: string } }[] }>().choices[0]?.message.content ?? '', /Hello from the AI gateway mock/);
      }
      const real = await send(`${gateway.url}/real/v1/chat/completions`, { body: CHAT });
      assert.equal(real.json().from, 'the real target');

      const swapped = gateway.logs.lines.filter((l) => String(l.msg).includes('served by the built-in mock://openai'));
      assert.deepEqual(swapped.map((l) => l.target).sort(), [refusedUrl, unresolvableUrl].sort());
      assert.match(String(swapped.find((l) => l.target === unresolvableUrl)?.reason), /host does not resolve \(ENOTFOUND/);
      assert.match(String(swapped.find((l) => l.target === refusedUrl)?.reason), /cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    } finally {
      await gateway.close();
    }
  });

  it("serves an unreachable provider target with that provider's own mock, which gets the mock's credentials, not the held key", async () => {
    const ollamaUrl = `http://127.0.0.1:${await closedPort()}`;
    const providers: [string, string, string][] = [
      ['anthropic', 'url: https://anthropic.invalid, apiKeyEnv: HELD_KEY, model: claude-haiku-4-5', 'mock://anthropic'],
      ['openai', 'url: https://openai.invalid/v1, apiKeyEnv: HELD_KEY, model: gpt-4o-mini', 'mock://openai'],
      ['gemini', 'url: https://gemini.invalid, apiKeyEnv: HELD_KEY, model: gemini-2.5-flash', 'mock://gemini'],
      ['bedrock', 'url: https://bedrock.invalid, model: "amazon.nova-lite-v1:0"', 'mock://bedrock'],
      ['azure-openai', 'url: https://azure.invalid, apiKeyEnv: HELD_KEY, deployment: gpt-4o-mini', 'mock://azure-openai'],
      ['ollama', `url: "${ollamaUrl}", model: llama3.2`, 'mock://openai'],
    ];
    const yaml = `gateway:\n  mockUnreachableTargets: true\nroutes:\n${providers
      .map(([name, target]) => `  - { name: ${name}, path: /${name}/v1/chat/completions, targets: [{ provider: ${name}, ${target} }] }`)
      .join('\n')}\n`;
    const env = { HELD_KEY: 'sk-held-never-sent-to-a-mock', AWS_ACCESS_KEY_ID: 'AKIDHELD0000', AWS_SECRET_ACCESS_KEY: 'held-secret' };
    const loaded = loadConfig(yaml, { mode: 'start', env });
    assert.deepEqual(
      loaded.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const gateway = await startTestGateway(loaded.config, { env });
    try {
      for (const [name] of providers) {
        const answer = await send(`${gateway.url}/${name}/v1/chat/completions`, { body: CHAT });
        assert.equal(answer.status, 200, `${name}: ${answer.text}`);
        assert.match(answer.json<{ choices: { message: { content: string } }[] }>().choices[0]?.message.content ?? '', /Hello from the AI gateway mock/);
      }
      const held = [...gateway.runtime.snapshot.upstreams.values()].map((group) => group.targets[0]?.provider?.settings);
      assert.ok(held.every((settings) => settings && settings.apiKey !== env.HELD_KEY && settings.aws?.accessKeyId !== env.AWS_ACCESS_KEY_ID));
      const swapped = gateway.logs.lines.filter((l) => String(l.msg).includes('(mockUnreachableTargets)'));
      for (const [name, , mock] of providers) {
        const line = swapped.find((l) => String(l.target).includes(name === 'ollama' ? ollamaUrl : `${name.split('-')[0]}.invalid`));
        assert.ok(line, `${name} was logged`);
        assert.match(String(line.msg), new RegExp(`served by the built-in ${mock} \\(`), name);
      }
    } finally {
      await gateway.close();
    }
  });

  it('leaves unreachable targets alone without the setting: the request fails with 502', async () => {
    const gateway = await startTestGateway(config({ refused: refusedUrl }, undefined), { env: {} });
    try {
      const answer = await send(`${gateway.url}/refused/v1/chat/completions`, { body: CHAT });
      assert.equal(answer.status, 502);
      assert.equal(
        gateway.logs.lines.some((l) => String(l.msg).includes('served by the built-in')),
        false,
      );
    } finally {
      await gateway.close();
    }
  });

  it('AI_GATEWAY_MOCK_UNREACHABLE_TARGETS=1 turns it on over the config, =0 turns it off', async () => {
    const on = await startTestGateway(config({ refused: refusedUrl }, false), { env: { AI_GATEWAY_MOCK_UNREACHABLE_TARGETS: '1' } });
    try {
      assert.equal((await send(`${on.url}/refused/v1/chat/completions`, { body: CHAT })).status, 200);
    } finally {
      await on.close();
    }
    const off = await startTestGateway(config({ refused: refusedUrl }, true), { env: { AI_GATEWAY_MOCK_UNREACHABLE_TARGETS: '0' } });
    try {
      assert.equal((await send(`${off.url}/refused/v1/chat/completions`, { body: CHAT })).status, 502);
    } finally {
      await off.close();
    }
  });
});
