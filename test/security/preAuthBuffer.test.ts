// Nothing before authentication buffers more than a small bound. Routes with `match.model` used to read up to
// maxBodySize (10 MB) before checking the key. Now: on a protected endpoint the key is checked before a byte of the
// body is read; on a public endpoint the model is looked for within limits.maxPreAuthBufferSize and the rest
// streams through. Measured with the counter the gateway exposes (ai_gateway_unauthenticated_buffered_bytes_total),
// over ten concurrent 9.5 MB uploads on raw sockets.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { sample, scrape } from '../observability/support';
import { RawConnection, statusOf } from '../support/rawHttp';
import { RecordingUpstream } from '../support/recordingUpstream';
import { configFrom, startGateway, type RunningGateway } from './support';

const KEY = 'pre-auth-test-key-31f0';
const UPLOAD_BYTES = 9.5 * 1024 * 1024;
const CONCURRENT = 10;
const PRE_AUTH_BOUND = 64 * 1024;
/** A read stops at the first socket read past the bound: at most one more chunk (64 KiB) per request. */
const PER_REQUEST_BOUND = PRE_AUTH_BOUND + 64 * 1024;
const PIECE = Buffer.alloc(1024 * 1024, 0x61); // "aaaa...": JSON string content

/** A JSON body of exactly `size` bytes: `{"model":"...","input":"aaa..."}`, or with the model last. */
function jsonBody(size: number, model: string, modelFirst: boolean): { head: string; fill: number; tail: string } {
  const head = modelFirst ? `{"model":"${model}","input":"` : '{"input":"';
  const tail = modelFirst ? '"}' : `","model":"${model}"}`;
  return { head, fill: size - head.length - tail.length, tail };
}

/** Uploads a body of `size` bytes; resolves with the final status once the gateway answered and closed. */
async function upload(
  url: string,
  path: string,
  headers: Record<string, string>,
  model: string,
  modelFirst: boolean,
): Promise<{ status: number; text: string }> {
  const body = jsonBody(UPLOAD_BYTES, model, modelFirst);
  const connection = new RawConnection(url);
  const head = [`POST ${path} HTTP/1.1`, 'Host: gateway.test', `Content-Length: ${UPLOAD_BYTES}`, 'Content-Type: application/json', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
  await connection.write(`${head.join('\r\n')}\r\n\r\n${body.head}`);
  for (let left = body.fill; left > 0 && !connection.closed; left -= PIECE.length) await connection.write(PIECE.subarray(0, Math.min(left, PIECE.length)));
  await connection.write(body.tail);
  const text = await connection.untilClosed();
  return { status: statusOf(text), text };
}

describe('security: bounded buffering before authentication', function () {
  this.timeout(60_000);
  let upstream: RecordingUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await new RecordingUpstream().start();
    const digest = createHash('sha256').update(KEY).digest('hex');
    gateway = await startGateway(
      configFrom(`
routes:
  - { name: gpt, path: /v1/chat, methods: [POST], match: { model: "gpt-*" }, target: ${upstream.url}/gpt }
  - { name: other, path: /v1/chat, methods: [POST], target: ${upstream.url}/other }
  - { name: open-gpt, path: /open/chat, methods: [POST], match: { model: "gpt-*" }, target: ${upstream.url}/gpt }
  - { name: open-other, path: /open/chat, methods: [POST], target: ${upstream.url}/other }
security:
  - { endpoint: /v1/chat, auth: api-key, apiKeys: [{ name: team, sha256: ${digest} }] }
  - { endpoint: /open/chat, auth: none }
`),
    );
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  async function buffered(): Promise<number> {
    const held = sample(await scrape(gateway.url), 'ai_gateway_unauthenticated_buffered_bytes_total');
    assert.ok(held !== undefined, 'the gateway exposes what it holds for unauthenticated requests');
    return held;
  }

  it(`${CONCURRENT} concurrent 9.5 MB uploads without a key to a model route: 401 each, not one body byte held`, async () => {
    const before = await buffered();
    const seen = upstream.received.length;
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => upload(gateway.url, '/v1/chat', {}, 'gpt-4o', false)));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      Array(CONCURRENT).fill(401),
    );
    assert.equal((await buffered()) - before, 0);
    assert.equal(upstream.received.length, seen);
  });

  it('with the key, a model named after 9.5 MB of input still routes (the body is read once authenticated)', async () => {
    const answer = await upload(gateway.url, '/v1/chat', { 'x-api-key': KEY }, 'gpt-4o', false);
    assert.equal(answer.status, 200, answer.text);
    assert.match(answer.text, /"path":"\/gpt\/v1\/chat","bodyBytes":9961472/);
  });

  it(`${CONCURRENT} concurrent 9.5 MB uploads to a public model route: routed by a model in the first bytes, at most the bound held each`, async () => {
    const before = await buffered();
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => upload(gateway.url, '/open/chat', {}, 'gpt-4o', true)));
    for (const answer of answers) {
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.text, /"path":"\/gpt\/open\/chat","bodyBytes":9961472/, 'the whole body went through');
    }
    const held = (await buffered()) - before;
    assert.ok(held > 0 && held <= CONCURRENT * PER_REQUEST_BOUND, `held ${held} bytes`);
  });

  it('a public model route whose model comes after the bound: 413 naming the limit, and still bounded', async () => {
    const before = await buffered();
    const answer = await upload(gateway.url, '/open/chat', {}, 'gpt-4o', false);
    assert.equal(answer.status, 413);
    assert.match(answer.text, /gateway\.limits\.maxPreAuthBufferSize/);
    assert.ok((await buffered()) - before <= PER_REQUEST_BOUND);
  });
});
