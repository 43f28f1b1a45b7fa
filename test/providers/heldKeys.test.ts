// The keys the gateway holds for providers (apiKeyEnv, the AWS keys, `${VAR}` in target headers) reach the upstreams
// that need them, and nothing else: a real gateway process at log level trace serves every provider against mocks
// that accept only the exact keys, then its log, /metrics, the admin API (config, routes, metrics, traces), the trace
// header, the webhooks and the language server's answers on the same config are searched for every key value.
import { strict as assert } from 'node:assert';
import { TextDocument } from 'vscode-languageserver-textdocument';
import OpenAI, { APIError } from 'openai';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { createLanguageService } from '../../server/src/service/languageService';
import { RequestTrace } from '../../common/src/protocol';
import { adminCall, ADMIN_KEY, startGatewayProcess, type GatewayProcess } from '../admin/gatewayProcess';
import { WebhookReceiver } from '../observability/support';

const KEYS = {
  ANTHROPIC_KEY: 'sk-ant-held-1f2e3d4c5b6a',
  OPENAI_KEY: 'sk-openai-held-9a8b7c6d5e4f',
  GEMINI_KEY: 'AIza-held-gemini-0a1b2c3d4e',
  AZURE_KEY: 'azure-held-5f6e7d8c9b0a',
  AWS_ACCESS_KEY_ID: 'AKIDHELDTESTKEY00042',
  AWS_SECRET_ACCESS_KEY: 'held-aws-secret-for-this-test-only-77',
  AWS_SESSION_TOKEN: 'held-aws-session-token-31337',
  SERVICE_KEY: 'svc-held-header-value-2468',
};

describe('provider keys never leave the gateway except to their provider', function () {
  this.timeout(60_000);
  const mocks: Record<string, MockServer> = {};
  const hooks = new WebhookReceiver();
  let gateway: GatewayProcess;
  let configText: string;

  before(async () => {
    mocks.anthropic = await startMockServer({ options: { provider: 'anthropic', apiKey: KEYS.ANTHROPIC_KEY } });
    mocks.openai = await startMockServer({ options: { provider: 'openai', apiKey: KEYS.OPENAI_KEY } });
    mocks.wrong = await startMockServer({ options: { provider: 'openai', apiKey: 'a-key-the-gateway-does-not-hold' } });
    mocks.gemini = await startMockServer({ options: { provider: 'gemini', apiKey: KEYS.GEMINI_KEY } });
    mocks['azure-openai'] = await startMockServer({ options: { provider: 'azure-openai', apiKey: KEYS.AZURE_KEY } });
    mocks.bedrock = await startMockServer({
      options: {
        provider: 'bedrock',
        aws: { accessKeyId: KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY, sessionToken: KEYS.AWS_SESSION_TOKEN },
      },
    });
    mocks.service = await startMockServer({ options: { provider: 'openai' } });
    await hooks.start();
    configText = `gateway:
  logLevel: trace
routes:
  - { name: anthropic, path: /anthropic/v1/chat/completions, targets: [{ provider: anthropic, url: "${mocks.anthropic.url}", apiKeyEnv: ANTHROPIC_KEY, model: claude-haiku-4-5 }] }
  - { name: openai, path: /openai/v1/chat/completions, targets: [{ provider: openai, url: "${mocks.openai.url}/v1", apiKeyEnv: OPENAI_KEY, model: gpt-4o-mini }] }
  - { name: refused, path: /refused/v1/chat/completions, targets: [{ provider: openai, url: "${mocks.wrong.url}/v1", apiKeyEnv: OPENAI_KEY }] }
  - { name: gemini, path: /gemini/v1/chat/completions, targets: [{ provider: gemini, url: "${mocks.gemini.url}", apiKeyEnv: GEMINI_KEY, model: gemini-2.5-flash }] }
  - { name: azure, path: /azure/v1/chat/completions, targets: [{ provider: azure-openai, url: "${mocks['azure-openai'].url}", apiKeyEnv: AZURE_KEY, deployment: gpt-4o-mini }] }
  - { name: bedrock, path: /bedrock/v1/chat/completions, targets: [{ provider: bedrock, url: "${mocks.bedrock.url}", model: "amazon.nova-lite-v1:0" }] }
  - name: service
    path: /service/echo
    stripPrefix: /service
    targets: [{ url: "${mocks.service.url}", headers: { x-api-key: "\${SERVICE_KEY}" } }]
security:
  - { endpoint: /anthropic/v1/chat/completions, auth: none }
callback: ${hooks.url}
`;
    gateway = await startGatewayProcess(configText, { env: KEYS });
  });
  after(async () => {
    await gateway?.stop();
    await hooks.close();
    for (const mock of Object.values(mocks)) await mock.close();
  });

  it('sends each provider its key (the mocks accept only the exact ones) and a client key to none', async () => {
    const clientKey = 'client-credential-not-for-providers';
    for (const name of ['anthropic', 'openai', 'gemini', 'azure', 'bedrock']) {
      const client = new OpenAI({ baseURL: `${gateway.url}/${name}/v1`, apiKey: clientKey, maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'Hello' }] });
      assert.ok(completion.choices[0]?.message.content, name);
      const streamed = await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'Hello' }], stream: true });
      for await (const chunk of streamed) assert.ok(chunk);
    }
    const echo = (await (await fetch(`${gateway.url}/service/echo`, { method: 'POST', body: '{}' })).json()) as { headers: Record<string, string> };
    assert.equal(echo.headers['x-api-key'], KEYS.SERVICE_KEY, 'a plain target gets its configured header');
  });

  it("answers a provider's refusal of the held key without quoting it", async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/refused/v1`, apiKey: 'client', maxRetries: 0 });
    const error = await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'Hello' }] }).then(
      () => undefined,
      (err: unknown) => err as APIError,
    );
    assert.equal(error?.status, 401);
    assert.match(error?.message ?? '', /refused the credential the gateway holds/);
    assertNoKey(JSON.stringify(error?.error), 'the error body');
  });

  it('shows no key in its log, /metrics, the admin API, traces, webhooks or the editor', async () => {
    const traced = await fetch(`${gateway.url}/gemini/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [RequestTrace.traceRequestHeader]: '1', [RequestTrace.adminKeyHeader]: ADMIN_KEY },
      body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'Hello' }] }),
    });
    const traceHeader = traced.headers.get(RequestTrace.traceResponseHeader) ?? '';
    assert.match(traceHeader, /x-goog-api-key: \*\*\*/, 'the trace shows the translated request with the key redacted');
    const requestId = traced.headers.get('x-request-id')!;
    await traced.text();
    await adminCall(gateway.adminUrl, 'PUT', '/api/v1/routes/service', {
      body: {
        path: '/service/echo',
        stripPrefix: '/service',
        targets: [{ url: mocks.service!.url, headers: { 'x-api-key': '${SERVICE_KEY}', 'x-team': 'ml' } }],
      },
    });
    await hooks.waitFor((delivery) => delivery.event.type === 'config.applied');
    const seen: Record<string, string> = {
      log: JSON.stringify(gateway.logs),
      metrics: await (await fetch(`${gateway.url}/metrics`)).text(),
      traceHeader,
      webhooks: JSON.stringify(hooks.deliveries.map((delivery) => delivery.raw)),
    };
    for (const pathAndQuery of [
      '/api/v1/config',
      '/api/v1/config?format=json',
      '/api/v1/routes',
      '/api/v1/routes/bedrock',
      '/api/v1/routes/service',
      '/api/v1/metrics',
      '/api/v1/security',
      `/api/v1/traces/${requestId}`,
    ]) {
      const answer = await adminCall(gateway.adminUrl, 'GET', pathAndQuery);
      assert.equal(answer.status, 200, pathAndQuery);
      seen[pathAndQuery] = answer.text;
    }
    assert.match(seen['/api/v1/routes/service']!, /"x-api-key":"\*\*\*"/, 'header values show as ***');
    assert.match(seen['/api/v1/routes/bedrock']!, /"provider":\{"name":"bedrock"/, 'the provider settings show, the keys do not');
    assert.match(seen[`/api/v1/traces/${requestId}`]!, /"provider":"gemini"/);
    const service = createLanguageService({ env: KEYS });
    const document = TextDocument.create('file:///w/ai-gateway.yaml', 'ai-gateway-yaml', 1, configText);
    const lines = configText.split('\n');
    seen.editor = JSON.stringify([
      service.doValidation(document),
      service.getDocumentModel(document),
      service.validateForStart(document),
      lines.flatMap((line, index) => [...line.matchAll(/\w+/g)].map((word) => service.doHover(document, { line: index, character: word.index }))),
    ]);
    for (const [where, text] of Object.entries(seen)) assertNoKey(text, where);
  });
});

function assertNoKey(text: string, where: string): void {
  for (const [name, value] of Object.entries(KEYS)) assert.ok(!text.includes(value), `${where} shows ${name}`);
}
