// The gateway speaks each provider for an OpenAI client: the `openai` SDK, pointed at the gateway, talks to every
// built-in provider mock through a provider target (Anthropic, Gemini, Bedrock, Azure, Ollama and an
// OpenAI-compatible server through mock://openai), for plain, streamed, tool-calling, embedding and error answers.
import { strict as assert } from 'node:assert';
import { APIError } from 'openai';
import { MOCK_REPLY } from '../../runtime/src/mock/conversation';
import { openaiClient, providerGateway, WEATHER_TOOL, type TestGateway } from './gatewaySupport';

interface Case {
  provider: string;
  /** The model the target sends upstream (its alias), which answers name. */
  model: string;
  target: string;
  embeddingModel?: string;
}

const CASES: Case[] = [
  { provider: 'anthropic', model: 'claude-haiku-4-5', target: 'url: mock://anthropic' },
  { provider: 'gemini', model: 'gemini-2.5-flash', target: 'url: mock://gemini', embeddingModel: 'gemini-embedding-001' },
  { provider: 'bedrock', model: 'anthropic.claude-haiku-4-5-20251001-v1:0', target: 'url: mock://bedrock', embeddingModel: 'amazon.titan-embed-text-v2:0' },
  { provider: 'azure-openai', model: 'gpt-4o-mini', target: 'url: mock://azure-openai', embeddingModel: 'text-embedding-3-small' },
  { provider: 'ollama', model: 'llama3.2', target: 'url: mock://openai', embeddingModel: 'nomic-embed-text' },
  { provider: 'openai-compatible', model: 'served-model', target: 'url: mock://openai', embeddingModel: 'served-embedder' },
];

function routes(): string {
  return CASES.flatMap(({ provider, model, target, embeddingModel }) => [
    `  - name: ${provider}\n    path: /${provider}/v1/chat/completions\n    targets:\n      - { provider: ${provider}, ${target}, model: "${model}" }`,
    `  - name: ${provider}-errors\n    path: /${provider}-errors/v1/chat/completions\n    targets:\n      - provider: ${provider}\n        ${target}\n        model: "${model}"\n        headers: { x-mock-status: "429", x-mock-retry-after: "7" }`,
    `  - name: ${provider}-cut\n    path: /${provider}-cut/v1/chat/completions\n    targets:\n      - provider: ${provider}\n        ${target}\n        model: "${model}"\n        headers: { x-mock-cut-after: "3" }`,
    ...(embeddingModel
      ? [
          `  - name: ${provider}-embed\n    path: /${provider}/v1/embeddings\n    targets:\n      - { provider: ${provider}, ${target}, model: "${embeddingModel}" }`,
        ]
      : []),
  ]).join('\n');
}

describe('provider targets: the openai SDK through the gateway to each provider mock', function () {
  let gateway: TestGateway;

  before(async () => {
    gateway = await providerGateway(`routes:\n${routes()}\n`);
  });
  after(() => gateway.close());

  for (const { provider, model, embeddingModel } of CASES) {
    describe(provider, () => {
      it('answers a chat completion: text, finish reason, the target model, usage', async () => {
        const completion = await openaiClient(gateway, `/${provider}/v1`).chat.completions.create({
          model: 'whatever-the-client-asks',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Hello' },
          ],
          max_tokens: 200,
        });
        assert.equal(completion.object, 'chat.completion');
        assert.equal(completion.choices[0]?.message.content, MOCK_REPLY);
        assert.equal(completion.choices[0]?.finish_reason, 'stop');
        assert.equal(completion.model, model);
        assert.ok(completion.usage && completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0);
      });

      it('streams chunks that add up to the answer, with the usage chunk when asked', async () => {
        const stream = await openaiClient(gateway, `/${provider}/v1`).chat.completions.create({
          model: 'x',
          messages: [{ role: 'user', content: 'Hello' }],
          stream: true,
          stream_options: { include_usage: true },
        });
        let text = '';
        let chunks = 0;
        let finish: string | null | undefined;
        let usage: { prompt_tokens: number; completion_tokens: number } | undefined | null;
        for await (const chunk of stream) {
          // Azure opens its streams with a chunk of prompt filter results only (object "", no choices); passed through.
          if ((chunk.object as string) === '' && chunk.choices.length === 0) continue;
          chunks += 1;
          assert.equal(chunk.object, 'chat.completion.chunk');
          text += chunk.choices[0]?.delta.content ?? '';
          finish = chunk.choices[0]?.finish_reason ?? finish;
          if (chunk.usage) usage = chunk.usage;
        }
        assert.equal(text, MOCK_REPLY);
        assert.equal(finish, 'stop');
        assert.ok(chunks > 3, `the answer came in pieces (${chunks} chunks)`);
        assert.ok(usage && usage.prompt_tokens > 0 && usage.completion_tokens > 0);
      });

      it('calls an offered tool, then answers the tool result', async () => {
        const client = openaiClient(gateway, `/${provider}/v1`);
        const question = { role: 'user' as const, content: 'Weather in Paris?' };
        const first = await client.chat.completions.create({ model: 'x', messages: [question], tools: [WEATHER_TOOL], tool_choice: 'required' });
        const call = first.choices[0]?.message.tool_calls?.[0];
        assert.equal(first.choices[0]?.finish_reason, 'tool_calls');
        assert.ok(call && call.type === 'function');
        assert.equal(call.function.name, 'get_weather');
        assert.equal(typeof (JSON.parse(call.function.arguments) as { city: unknown }).city, 'string');
        const second = await client.chat.completions.create({
          model: 'x',
          tools: [WEATHER_TOOL],
          messages: [question, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 degrees' }],
        });
        // Gemini's function responses are objects: the translator wraps the text as { content }.
        assert.match(second.choices[0]?.message.content ?? '', /The tool answered: .*sunny, 21 degrees/);
      });

      it('streams a tool call as pieces of its arguments', async () => {
        const stream = await openaiClient(gateway, `/${provider}/v1`).chat.completions.create({
          model: 'x',
          messages: [{ role: 'user', content: 'Weather?' }],
          tools: [WEATHER_TOOL],
          tool_choice: { type: 'function', function: { name: 'get_weather' } },
          stream: true,
        });
        let name = '';
        let args = '';
        let finish: string | null | undefined;
        for await (const chunk of stream) {
          for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
            name += call.function?.name ?? '';
            args += call.function?.arguments ?? '';
          }
          finish = chunk.choices[0]?.finish_reason ?? finish;
        }
        assert.equal(name, 'get_weather');
        assert.equal(typeof (JSON.parse(args) as { city: unknown }).city, 'string');
        assert.equal(finish, 'tool_calls');
      });

      it("turns the provider's 429 into an OpenAI error with its status and Retry-After", async () => {
        const error = await openaiClient(gateway, `/${provider}-errors/v1`)
          .chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'Hello' }] })
          .then(
            () => undefined,
            (err: unknown) => err,
          );
        assert.ok(error instanceof APIError, String(error));
        assert.equal(error.status, 429);
        assert.equal(typeof error.message, 'string');
        assert.equal((error.headers as Headers | undefined)?.get('retry-after'), '7');
      });

      it('ends a stream the provider cuts mid-way with an error the SDK raises, after what had arrived', async () => {
        const stream = await openaiClient(gateway, `/${provider}-cut/v1`).chat.completions.create({
          model: 'x',
          messages: [{ role: 'user', content: 'Hello' }],
          stream: true,
        });
        let text = '';
        const error = await (async () => {
          for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        })().then(
          () => undefined,
          (err: unknown) => err,
        );
        assert.ok(error instanceof Error, 'the cut is an error, not a short answer');
        assert.notEqual(text, MOCK_REPLY);
        assert.ok(MOCK_REPLY.startsWith(text));
      });

      if (embeddingModel) {
        it('answers embeddings, as floats and as base64', async () => {
          const client = openaiClient(gateway, `/${provider}/v1`);
          const floats = await client.embeddings.create({ model: 'x', input: 'Hello', encoding_format: 'float' });
          assert.equal(floats.data.length, 1);
          assert.ok(floats.data[0]!.embedding.length > 0 && floats.data[0]!.embedding.every((n) => typeof n === 'number'));
          const decoded = await client.embeddings.create({ model: 'x', input: 'Hello' }); // the SDK asks for base64 and decodes it
          assert.deepEqual(
            decoded.data[0]!.embedding.map((n) => Math.round(n * 1e4)),
            floats.data[0]!.embedding.map((n) => Math.round(n * 1e4)),
          );
        });
      }
    });
  }
});
