// The provider mocks as a user reaches them: `mock://<provider>` targets are served in process by a mock speaking
// that provider's format (an unknown name is a config error with a did-you-mean), and `ai-gateway-cli mock
// --provider P` serves one standalone.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { BUILT_IN_MOCKS, loadConfig } from '../../common/src/config';
import { MOCK_REPLY } from '../../runtime/src/mock/conversation';
import { cliCommand, repoRoot } from '../support/cli';
import { configFromYaml, send, startTestGateway } from '../gateway/support';

const ROUTES = `version: 1
gateway:
  listen: 127.0.0.1:0
routes:
  - { name: anthropic, path: /v1/messages, methods: [POST], target: mock://anthropic }
  - { name: gemini, path: /v1beta/*, methods: [POST], target: mock://gemini }
  - { name: bedrock, path: /model/*, methods: [POST], target: mock://bedrock }
  - { name: azure, path: /openai/*, methods: [POST], target: mock://azure-openai }
  - { name: openai, path: /v1/chat/completions, methods: [POST], target: mock://openai }
`;

describe('mock:// targets for every provider', () => {
  it('accepts each built-in mock name and refuses an unknown one with a did-you-mean quick-fix value', () => {
    for (const name of BUILT_IN_MOCKS) {
      const loaded = loadConfig(`routes:\n  - { path: /x, target: mock://${name} }\n`, { env: {} });
      assert.deepEqual(
        loaded.diagnostics.filter((d) => d.severity === 'error'),
        [],
        name,
      );
    }
    const typo = loadConfig('routes:\n  - { path: /x, target: mock://antropic }\n', { env: {} }).diagnostics.find((d) => d.code === 'target.unknownMock');
    assert.equal(
      typo?.message,
      'Unknown built-in mock "antropic": did you mean mock://anthropic? The built-in mocks are mock://openai, mock://anthropic, mock://gemini, mock://bedrock, mock://azure-openai.',
    );
    assert.deepEqual(typo?.data, { suggestion: 'mock://anthropic' });
    const unknown = loadConfig('routes:\n  - { path: /x, target: mock://mistral }\n', { env: {} }).diagnostics.find((d) => d.code === 'target.unknownMock');
    assert.match(unknown?.message ?? '', /^Unknown built-in mock "mistral"\. The built-in mocks are /);
  });

  it("serves each mock:// target in process, in that provider's wire format", async () => {
    const gateway = await startTestGateway(configFromYaml(ROUTES), { env: {} });
    try {
      const anthropic = await send(`${gateway.url}/v1/messages`, {
        headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
        body: { model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] },
      });
      assert.equal(anthropic.headers['x-mock-instance'], 'mock://anthropic');
      assert.deepEqual(anthropic.json<{ content: unknown[] }>().content, [{ type: 'text', text: MOCK_REPLY }]);

      const gemini = await send(`${gateway.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        headers: { 'x-goog-api-key': 'k' },
        body: { contents: [{ parts: [{ text: 'Hi' }] }] },
      });
      assert.equal(gemini.headers['x-mock-instance'], 'mock://gemini');
      assert.equal(gemini.json<{ candidates: { content: { parts: { text: string }[] } }[] }>().candidates[0]?.content.parts[0]?.text, MOCK_REPLY);

      const bedrock = await send(`${gateway.url}/model/amazon.nova-lite-v1%3A0/converse`, {
        headers: { authorization: 'Bearer bedrock-api-key' },
        body: { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] },
      });
      assert.equal(bedrock.headers['x-mock-instance'], 'mock://bedrock');
      assert.equal(bedrock.json<{ stopReason: string }>().stopReason, 'end_turn');
      const unsigned = await send(`${gateway.url}/model/amazon.nova-lite-v1%3A0/converse`, { body: { messages: [] } });
      assert.equal(unsigned.status, 403);

      const azure = await send(`${gateway.url}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`, {
        headers: { 'api-key': 'k' },
        body: { messages: [{ role: 'user', content: 'Hi' }] },
      });
      assert.equal(azure.headers['x-mock-instance'], 'mock://azure-openai');
      assert.equal(azure.json<{ choices: { message: { content: string } }[] }>().choices[0]?.message.content, MOCK_REPLY);

      const openai = await send(`${gateway.url}/v1/chat/completions`, { body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } });
      assert.equal(openai.headers['x-mock-instance'], 'mock://openai');
    } finally {
      await gateway.close();
    }
  });

  it("runs one provider's mock standalone: ai-gateway-cli mock --provider anthropic", async () => {
    const { command, args } = cliCommand(['mock', '--provider', 'anthropic', '--port', '0']);
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let listening: Record<string, unknown> | undefined;
      for await (const text of createInterface({ input: child.stdout })) {
        listening = JSON.parse(text) as Record<string, unknown>;
        if (listening.msg === 'mock listening') break;
      }
      assert.equal(listening?.provider, 'anthropic');
      const answer = await send(`${String(listening?.url)}/v1/messages`, {
        headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'x-mock-status': '529' },
        body: {},
      });
      assert.equal(answer.status, 529);
      assert.deepEqual(answer.json(), { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    } finally {
      child.kill('SIGINT');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
