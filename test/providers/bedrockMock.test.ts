// mock://bedrock speaks the Converse API well enough for AWS's own SDK (@aws-sdk/client-bedrock-runtime): plain,
// streamed (binary event stream), tool-use, embedding and error answers parse, the SDK's typed fields carry what the
// mock sent, and a request signed with other credentials gets Bedrock's 403. The SDK talks HTTP/2 by default; the
// mock (like the gateway's upstream pools, and like Bedrock itself) also takes HTTP/1.1, which the clients here use.
import { strict as assert } from 'node:assert';
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand, type ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { request } from 'undici';
import { MOCK_REPLY } from '../../runtime/src/mock/conversation';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { embeddingVector } from '../../runtime/src/mock/openaiBodies';
import { MOCK_AWS_CREDENTIALS } from '../../runtime/src/mock/options';

const MODEL = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
function bedrockClient(url: string, credentials = MOCK_AWS_CREDENTIALS): BedrockRuntimeClient {
  return new BedrockRuntimeClient({ region: 'eu-west-1', endpoint: url, credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
}

const WEATHER = {
  toolSpec: {
    name: 'get_weather',
    description: 'Weather in a city',
    inputSchema: { json: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] } },
  },
};

describe('mock://bedrock through @aws-sdk/client-bedrock-runtime', () => {
  let mock: MockServer;
  let client: BedrockRuntimeClient;

  before(async () => {
    mock = await startMockServer({ options: { provider: 'bedrock', name: 'mock://bedrock' } });
    client = bedrockClient(mock.url);
  });
  after(async () => {
    client.destroy();
    await mock.close();
  });

  it('answers Converse with text, end_turn and usage', async () => {
    const out = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        system: [{ text: 'Be brief.' }],
        messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
        inferenceConfig: { maxTokens: 256, temperature: 0.3 },
      }),
    );
    assert.equal(out.output?.message?.role, 'assistant');
    assert.equal(out.output?.message?.content?.[0]?.text, MOCK_REPLY);
    assert.equal(out.stopReason, 'end_turn');
    const { inputTokens = 0, outputTokens = 0, totalTokens } = out.usage ?? {};
    assert.ok(inputTokens > 0 && outputTokens > 0);
    assert.equal(totalTokens, inputTokens + outputTokens);
    assert.equal(out.$metadata.httpStatusCode, 200);
  });

  it('streams ConverseStream as an event stream the SDK decodes event by event', async () => {
    const out = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }));
    const events: ConverseStreamOutput[] = [];
    for await (const event of out.stream ?? []) events.push(event);
    const kinds = events.map((event) => Object.entries(event).find(([, value]) => value !== undefined)?.[0]);
    assert.equal(kinds[0], 'messageStart');
    assert.deepEqual(kinds.slice(-3), ['contentBlockStop', 'messageStop', 'metadata']);
    const text = events.map((event) => event.contentBlockDelta?.delta?.text ?? '').join('');
    assert.equal(text, MOCK_REPLY);
    assert.ok(kinds.filter((kind) => kind === 'contentBlockDelta').length > 3);
    assert.equal(events.find((event) => event.messageStop)?.messageStop?.stopReason, 'end_turn');
    assert.ok((events.at(-1)?.metadata?.usage?.outputTokens ?? 0) > 0);
  });

  it('uses an offered tool, plain and streamed, and answers its result', async () => {
    const toolConfig = { tools: [WEATHER] };
    const out = await client.send(new ConverseCommand({ modelId: MODEL, toolConfig, messages: [{ role: 'user', content: [{ text: 'Weather in Paris?' }] }] }));
    assert.equal(out.stopReason, 'tool_use');
    const use = out.output?.message?.content?.find((block) => block.toolUse)?.toolUse;
    assert.equal(use?.name, 'get_weather');
    assert.deepEqual(use?.input, { city: 'mock', days: 1 });

    const streamed = await client.send(
      new ConverseStreamCommand({ modelId: MODEL, toolConfig, messages: [{ role: 'user', content: [{ text: 'Weather in Paris?' }] }] }),
    );
    let started: string | undefined;
    let input = '';
    for await (const event of streamed.stream ?? []) {
      started ??= event.contentBlockStart?.start?.toolUse?.name;
      input += event.contentBlockDelta?.delta?.toolUse?.input ?? '';
    }
    assert.equal(started, 'get_weather');
    assert.deepEqual(JSON.parse(input), { city: 'mock', days: 1 });

    const answered = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        toolConfig,
        messages: [
          { role: 'user', content: [{ text: 'Weather in Paris?' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Paris' } } }] },
          { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'Sunny' }] } }] },
        ],
      }),
    );
    assert.equal(answered.output?.message?.content?.[0]?.text, 'The tool answered: Sunny');
  });

  it('refuses a conversation that does not alternate roles, as a ValidationException', async () => {
    await assert.rejects(
      client.send(
        new ConverseCommand({
          modelId: MODEL,
          messages: [
            { role: 'user', content: [{ text: 'a' }] },
            { role: 'user', content: [{ text: 'b' }] },
          ],
        }),
      ),
      (err: unknown) =>
        (err as Error).name === 'ValidationException' &&
        /alternate/.test((err as Error).message) &&
        (err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode === 400,
    );
  });

  it('reports max_tokens and cache reads', async () => {
    const short = await client.send(
      new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Hello' }] }], inferenceConfig: { maxTokens: 3 } }),
    );
    assert.equal(short.stopReason, 'max_tokens');
    assert.equal(short.usage?.outputTokens, 3);
    mock.setOptions({ cachedTokens: 1 });
    try {
      const cached = await client.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }));
      assert.equal(cached.usage?.cacheReadInputTokens, 1);
      assert.equal(cached.usage?.inputTokens, (short.usage?.inputTokens ?? 0) - 1);
    } finally {
      mock.setOptions({ cachedTokens: 0 });
    }
  });

  it('embeds through InvokeModel (Titan)', async () => {
    const out = await client.send(
      new InvokeModelCommand({
        modelId: 'amazon.titan-embed-text-v2:0',
        contentType: 'application/json',
        body: JSON.stringify({ inputText: 'hello', dimensions: 4 }),
      }),
    );
    const body = JSON.parse(Buffer.from(out.body).toString('utf8')) as { embedding: number[]; inputTextTokenCount: number };
    assert.deepEqual(body.embedding, embeddingVector('hello', 4));
    assert.ok(body.inputTextTokenCount > 0);
  });

  it("answers throttling and server errors as the SDK's typed exceptions", async () => {
    for (const [status, name] of [
      [429, 'ThrottlingException'],
      [503, 'ServiceUnavailableException'],
      [500, 'InternalServerException'],
    ] as const) {
      mock.setOptions({ status });
      try {
        await assert.rejects(
          client.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] })),
          (err: unknown) => (err as Error).name === name && (err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode === status,
        );
      } finally {
        mock.setOptions({ status: undefined });
      }
    }
  });

  it('refuses a request signed with another secret (403 InvalidSignatureException), an unknown key id, and no signature', async () => {
    const otherSecret = bedrockClient(mock.url, { ...MOCK_AWS_CREDENTIALS, secretAccessKey: 'not-the-secret' });
    const otherKey = bedrockClient(mock.url, { accessKeyId: 'AKIDSOMEONEELSE', secretAccessKey: 'x' });
    try {
      const send = (c: BedrockRuntimeClient) => c.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }));
      await assert.rejects(
        send(otherSecret),
        (err: unknown) =>
          (err as Error).name === 'InvalidSignatureException' &&
          /signature we calculated does not match/.test((err as Error).message) &&
          (err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode === 403,
      );
      await assert.rejects(send(otherKey), (err: unknown) => (err as Error).name === 'UnrecognizedClientException');
    } finally {
      otherSecret.destroy();
      otherKey.destroy();
    }
    const unsigned = await request(`${mock.url}/model/${encodeURIComponent(MODEL)}/converse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(unsigned.statusCode, 403);
    assert.match(String(unsigned.headers['x-amzn-errortype']), /^MissingAuthenticationTokenException/);
    await unsigned.body.dump();
  });
});
