// Tracing and the Traffic view with gateway.workers: 2, `ai-gateway-cli start` on a real config: every worker traces
// and exports the requests it serves (to an OTLP receiver process); the Traffic view, which follows one process,
// is refused by the primary's admin API with the reason rather than showing half the traffic.
import { strict as assert } from 'node:assert';
import { request } from 'undici';
import { adminCall, startGatewayProcess, type GatewayProcess } from '../admin/gatewayProcess';
import { OtlpReceiver } from '../support/otlpReceiver';

const SERVER = 2;

describe('gateway.workers: 2, traces and traffic', function () {
  this.timeout(60_000);
  let receiver: OtlpReceiver;
  let gateway: GatewayProcess;

  before(async () => {
    receiver = await OtlpReceiver.start();
    gateway = await startGatewayProcess(`version: 1
gateway:
  listen: 127.0.0.1:0
  workers: 2
  telemetry: { otlp: { endpoint: "${receiver.url}" } }
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: "mock://openai" }
security:
  - { endpoint: /v1/chat/completions, auth: none }
`);
  });
  after(async () => {
    await gateway?.stop(); // a stop exports what each worker still holds
    await receiver?.stop();
  });

  it('exports the spans of the requests every worker served', async () => {
    const traceIds = Array.from({ length: 6 }, (_, i) => `${i + 1}`.repeat(32));
    for (const traceId of traceIds) {
      // A connection of its own each, so that the primary hands the requests to the workers in turn.
      const res = await request(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        reset: true,
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
      });
      assert.equal(res.statusCode, 200);
      await res.body.dump();
    }
    await gateway.stop();
    const pids = new Set<unknown>();
    for (const traceId of traceIds) {
      const server = (await receiver.trace(traceId, 2)).find((span) => span.kind === SERVER);
      assert.equal(server?.attributes['ai_gateway.route'], 'chat');
      pids.add(server?.resource['process.pid']);
    }
    assert.equal(pids.size, 2, 'both workers served and exported');
  });

  it('refuses the Traffic view with the reason: each worker keeps its own requests', async () => {
    const restarted = await startGatewayProcess(`version: 1
gateway: { listen: 127.0.0.1:0, workers: 2 }
routes:
  - { name: chat, path: /v1/chat/completions, target: "mock://openai" }
`);
    try {
      const answer = await adminCall<{ error: { type: string; message: string } }>(restarted.adminUrl, 'GET', '/api/v1/traffic');
      assert.equal(answer.status, 404);
      assert.equal(answer.json.error.type, 'traffic_unavailable');
      assert.match(answer.json.error.message, /gateway\.workers: 2.*one process/);
    } finally {
      await restarted.stop();
    }
  });
});
