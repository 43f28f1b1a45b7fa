// gateway.workers: 2 and wrong admin keys: the primary serves the admin API for both workers and counts each guess
// against the address the client connected from (which the worker that took the request tells it), not against
// the worker; a client cannot pick its own address by sending the header the workers use.
import { strict as assert } from 'node:assert';
import { request as httpRequest } from 'node:http';
import { Workers } from '../../common/src/protocol';
import { ADMIN_KEY, startGatewayProcess, type GatewayProcess } from '../admin/gatewayProcess';

const config = `version: 1
gateway:
  listen: 127.0.0.1:0
  logLevel: info
  workers: 2
  limits:
    authFailures: 3/min
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: "mock://openai" }
security:
  - { endpoint: /v1/chat/completions, auth: none }
`;

describe('gateway.workers: 2, wrong admin keys', function () {
  this.timeout(60_000);
  let gateway: GatewayProcess;

  before(async () => {
    gateway = await startGatewayProcess(config);
  });
  after(async () => gateway?.stop());

  it('counts guesses through either worker against the client address, and ignores an address the client claims', async () => {
    const guesses: number[] = [];
    // A connection each: the primary hands connections to the workers in turn, so both take guesses.
    for (let i = 0; i < 3; i++) guesses.push((await routes(gateway.url, '127.0.0.1', `Bearer guess-${i}`)).status);
    assert.deepEqual(guesses, [401, 401, 401]);
    const spoofed = await routes(gateway.url, '127.0.0.1', `Bearer ${ADMIN_KEY}`, { [Workers.clientAddressHeader]: '10.9.9.9' });
    assert.equal(spoofed.status, 429, 'the right key, from the address that guessed, claiming another');
    assert.equal((await routes(gateway.url, '127.0.0.3', `Bearer ${ADMIN_KEY}`)).status, 200, 'another client address is not blocked');
  });
});

/** GET /api/v1/routes on a connection of its own, from a given loopback address. */
function routes(baseUrl: string, localAddress: string, authorization: string, headers: Record<string, string> = {}): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}/api/v1/routes`, { localAddress, agent: false, headers: { authorization, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}
