// mock://gemini speaks the Gemini API well enough for Google's own SDK (@google/genai): plain, streamed (SSE),
// function-calling, embedding and error answers parse, and the SDK's typed fields carry what the mock sent.
import { strict as assert } from 'node:assert';
import { ApiError, FinishReason, GoogleGenAI } from '@google/genai';
import { request } from 'undici';
import { MOCK_REPLY } from '../../runtime/src/mock/conversation';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { embeddingVector } from '../../runtime/src/mock/openaiBodies';

const WEATHER = {
  name: 'get_weather',
  description: 'Weather in a city',
  parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
};

describe('mock://gemini through @google/genai', () => {
  let mock: MockServer;
  let ai: GoogleGenAI;

  before(async () => {
    mock = await startMockServer({ options: { provider: 'gemini', name: 'mock://gemini' } });
    ai = new GoogleGenAI({ apiKey: 'gemini-test-key', httpOptions: { baseUrl: mock.url } });
  });
  after(() => mock.close());

  it('answers generateContent with text, STOP and usage metadata', async () => {
    const response = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Hello',
      config: { systemInstruction: 'Be brief.', temperature: 0.2 },
    });
    assert.equal(response.text, MOCK_REPLY);
    assert.equal(response.candidates?.[0]?.finishReason, FinishReason.STOP);
    assert.equal(response.modelVersion, 'gemini-2.5-flash');
    const usage = response.usageMetadata;
    assert.ok(usage?.promptTokenCount && usage.candidatesTokenCount);
    assert.equal(usage.totalTokenCount, usage.promptTokenCount + usage.candidatesTokenCount);
  });

  it('streams SSE chunks that the SDK yields one by one', async () => {
    const texts: string[] = [];
    let last: Awaited<ReturnType<typeof ai.models.generateContent>> | undefined;
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hello' })) {
      texts.push(chunk.text ?? '');
      last = chunk;
    }
    assert.ok(texts.length > 3, 'several chunks');
    assert.equal(texts.join(''), MOCK_REPLY);
    assert.equal(last?.candidates?.[0]?.finishReason, FinishReason.STOP);
    assert.equal(last?.usageMetadata?.candidatesTokenCount, texts.length);
  });

  it('calls an offered function, plain and streamed, and answers a function response', async () => {
    const config = { tools: [{ functionDeclarations: [WEATHER] }] };
    const response = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Weather in Paris?', config });
    assert.deepEqual(
      response.functionCalls?.map((call) => [call.name, call.args]),
      [['get_weather', { city: 'mock', days: 1 }]],
    );
    assert.equal(response.candidates?.[0]?.finishReason, FinishReason.STOP, 'Gemini says STOP for function calls');

    const calls = [];
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'Weather in Paris?', config }))
      calls.push(...(chunk.functionCalls ?? []));
    assert.deepEqual(
      calls.map((call) => call.args),
      [{ city: 'mock', days: 1 }],
    );

    const answered = await ai.models.generateContent({
      model: 'gemini-2.5-pro',
      config,
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { forecast: 'sunny' } } }] },
      ],
    });
    assert.equal(answered.text, 'The tool answered: {"forecast":"sunny"}');
  });

  it('reports MAX_TOKENS and cached content tokens', async () => {
    const short = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello', config: { maxOutputTokens: 2 } });
    assert.equal(short.candidates?.[0]?.finishReason, FinishReason.MAX_TOKENS);
    assert.equal(short.usageMetadata?.candidatesTokenCount, 2);
    const cached = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Hello there',
      config: { httpOptions: { headers: { 'x-mock-cached-tokens': '2' } } },
    });
    assert.equal(cached.usageMetadata?.cachedContentTokenCount, 2);
  });

  it('embeds a batch through batchEmbedContents, and one text through embedContent', async () => {
    const response = await ai.models.embedContent({
      model: 'gemini-embedding-001',
      contents: ['first text', 'second text'],
      config: { outputDimensionality: 4 },
    });
    assert.deepEqual(
      response.embeddings?.map((e) => e.values),
      [embeddingVector('first text', 4), embeddingVector('second text', 4)],
    );
    const single = await request(`${mock.url}/v1beta/models/gemini-embedding-001:embedContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ content: { parts: [{ text: 'one' }] } }),
    });
    assert.deepEqual(await single.body.json(), { embedding: { values: embeddingVector('one') } });
  });

  it("answers 429 RESOURCE_EXHAUSTED and 503 UNAVAILABLE as ApiErrors carrying Google's error body", async () => {
    for (const [status, name] of [
      [429, 'RESOURCE_EXHAUSTED'],
      [503, 'UNAVAILABLE'],
    ] as const) {
      await assert.rejects(
        ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi', config: { httpOptions: { headers: { 'x-mock-status': String(status) } } } }),
        (err: unknown) =>
          err instanceof ApiError && err.status === status && (JSON.parse(err.message) as { error: { status: string; code: number } }).error.status === name,
      );
    }
  });

  it('refuses a missing key (403) and, when a key is configured, a wrong one (400 API_KEY_INVALID)', async () => {
    const missing = await request(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(missing.statusCode, 403);
    assert.equal(((await missing.body.json()) as { error: { status: string } }).error.status, 'PERMISSION_DENIED');
    const strict = await startMockServer({ options: { provider: 'gemini', apiKey: 'right' } });
    try {
      const wrong = new GoogleGenAI({ apiKey: 'wrong', httpOptions: { baseUrl: strict.url } });
      await assert.rejects(
        wrong.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }),
        (err: unknown) => err instanceof ApiError && err.status === 400 && err.message.includes('API_KEY_INVALID'),
      );
      const right = new GoogleGenAI({ apiKey: 'right', httpOptions: { baseUrl: strict.url } });
      assert.equal((await right.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })).text, MOCK_REPLY);
    } finally {
      await strict.close();
    }
  });

  it('refuses a field Gemini does not have, naming it', async () => {
    const answer = await request(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }], generationConfig: { max_tokens: 5 } }),
    });
    assert.equal(answer.statusCode, 400);
    assert.match(((await answer.body.json()) as { error: { message: string } }).error.message, /Unknown name "max_tokens" at 'generation_config'/);
  });
});
