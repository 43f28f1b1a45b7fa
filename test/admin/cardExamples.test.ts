// The product card's API examples (the one-page brief this project was built from), run with the real tools
// against a real gateway process: its Python `requests` snippets (with http://gateway:8080 pointed at the test
// gateway) and curl calls with the card's bodies.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Admin } from '../../common/src/protocol';
import { COMMENTED_CONFIG } from './fixtures';
import { ADMIN_KEY, adminCall, startGatewayProcess, type GatewayProcess } from './gatewayProcess';

const run = promisify(execFile);

// Verbatim from the card's "Code Snippets" (the card leaves out `import os`, which the snippet needs).
const CARD_CREATE_ROUTE = `import os
import requests
headers = {'Authorization': f'Bearer {os.environ.get("AI_GATEWAY_API_KEY")}'}
response = requests.post('http://gateway:8080/api/v1/routes', json={"path": "/predict", "target": "http://ai-service:8080"}, headers=headers)
print(response.status_code)
print(response.text)
`;

// Verbatim from the card's "Secure and Monitor API" example.
const CARD_METRICS = `import requests; import os; headers = {'Authorization': f'Bearer {os.environ["AI_GATEWAY_API_KEY"]}'}; r = requests.get('http://gateway:8080/api/v1/metrics', headers=headers); print(r.status_code); print(r.text)`;

describe("the product card's API examples", function () {
  this.timeout(30_000);
  let gw: GatewayProcess;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    gw = await startGatewayProcess(COMMENTED_CONFIG, { env: { JWT_SECRET: 'card-jwt-secret-long-enough-for-hs256-0123' } });
    env = { ...process.env, AI_GATEWAY_API_KEY: ADMIN_KEY, NO_PROXY: '127.0.0.1,localhost' };
  });
  after(async () => gw?.stop());

  const python = async (code: string) => {
    const { stdout } = await run('python3', ['-c', code.replaceAll('http://gateway:8080', gw.url)], { env });
    const [status, ...body] = stdout.trim().split('\n');
    return { status: Number(status), json: JSON.parse(body.join('\n')) as unknown };
  };

  it('Python: requests.post(.../api/v1/routes, json={"path": "/predict", ...}) creates the route', async () => {
    const answer = await python(CARD_CREATE_ROUTE);
    assert.equal(answer.status, 201);
    assert.equal((answer.json as Admin.RouteResult).route.path, '/predict');
    assert.match(await gw.readFile(), /- path: \/predict\n {4}target: http:\/\/ai-service:8080\n/);
  });

  it('curl: POST /api/v1/routes with the card body answers 409 for the route that now exists', async () => {
    const { stdout } = await run('curl', [
      '-s',
      '-w',
      '\\n%{http_code}',
      '-X',
      'POST',
      `${gw.url}/api/v1/routes`,
      '-H',
      `Authorization: Bearer ${ADMIN_KEY}`,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{ "path": "/predict", "target": "http://ai-service:8080", "method": "POST" }',
    ]);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.pop(), '409', stdout);
    const error = JSON.parse(lines.join('\n')) as Admin.ErrorResponse;
    // The Python call made /predict for every method, so a POST-only /predict after it could never be reached.
    assert.equal(error.error.type, 'already_exists');
    assert.match(error.error.message, /shadowed by the earlier, broader route "predict"/);
  });

  it('curl: PUT /api/v1/security/{endpoint} with { "authType": "jwt", "rateLimit": 100 }', async () => {
    // The gateway needs to know the JWT key before auth: jwt can verify anything: name its variable first.
    const key = await adminCall(gw.url, 'PUT', '/api/v1/security/%2Fpredict', { body: { jwt: { secretEnv: 'JWT_SECRET' } } });
    assert.equal(key.status, 201, key.text);
    const { stdout } = await run('curl', [
      '-s',
      '-w',
      '\\n%{http_code}',
      '-X',
      'PUT',
      `${gw.url}/api/v1/security/%2Fpredict`,
      '-H',
      `Authorization: Bearer ${ADMIN_KEY}`,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{ "authType": "jwt", "rateLimit": 100 }',
    ]);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.pop(), '200', stdout);
    const result = JSON.parse(lines.join('\n')) as Admin.SecurityResult;
    assert.equal(result.rule.auth, 'jwt');
    assert.equal(result.rule.rateLimit?.requests?.limit, 100);
    assert.match(await gw.readFile(), /- endpoint: \/predict\n {4}jwt: \{secretEnv: JWT_SECRET\}\n {4}auth: jwt\n {4}rateLimit: 100\n/);
  });

  it('curl: GET /api/v1/metrics?type=latency, and the Python metrics snippet', async () => {
    const { stdout } = await run('curl', ['-s', '-H', `Authorization: Bearer ${ADMIN_KEY}`, `${gw.url}/api/v1/metrics?type=latency`]);
    const summary = JSON.parse(stdout) as Admin.MetricsSummary;
    assert.ok(summary.routes.some((r) => r.route === 'chat'));
    const answer = await python(CARD_METRICS);
    assert.equal(answer.status, 200);
    assert.ok((answer.json as Admin.MetricsSummary).routes.some((r) => r.route === 'predict'));
  });

  it('Error handling: 401 without the key, as the card says to check', async () => {
    const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${gw.url}/api/v1/routes`]);
    assert.equal(stdout, '401');
  });
});
