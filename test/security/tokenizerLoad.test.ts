// A token limit loads the tokenizer's tables (55-70 MB of memory) only when an answer needs counting (a stream that
// does not report its usage), not when the limit is configured: a gateway whose answers carry `usage` never holds
// them. Checked in a process of its own, so that no other test has loaded them first.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const out = path.resolve(__dirname, '..', '..');
const script = `
const { loadConfig } = require(${JSON.stringify(path.join(out, 'common/src/config'))});
const { compileSecurity } = require(${JSON.stringify(path.join(out, 'runtime/src/security/compileSecurity'))});
const { countTokens } = require(${JSON.stringify(path.join(out, 'runtime/src/gateway/upstream/tokenCount'))});
const loaded = () => Object.keys(require.cache).some((file) => /gpt-tokenizer.*o200k_base/.test(file));
const { config } = loadConfig(
  'routes:\\n  - { path: /v1/chat/completions, target: "mock://openai" }\\nsecurity:\\n  - { endpoint: /v1/chat/completions, auth: none, rateLimit: { tokens: 1000/min } }\\n',
  { env: {} },
);
compileSecurity(config, undefined);
setTimeout(async () => {
  const atStart = loaded();
  const counted = await countTokens('hello world', 'gpt-4o');
  console.log(JSON.stringify({ atStart, counted, afterCount: loaded() }));
}, 200);
`;

describe('token limits: the tokenizer is loaded when first needed', function () {
  this.timeout(30_000);
  it('compiles a token limit without loading the tables, and loads them for the first count', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
    assert.deepEqual(JSON.parse(stdout), { atStart: false, counted: 2, afterCount: true });
  });
});
