// Provider targets in the one config model: the issue's shape loads as written; normalize fills each provider's
// public URL, reads the key into a credential that prints as <held>, and lower-cases headers; the rules say what a
// provider requires, what it would ignore, which model names its list lacks, and what cannot work.
import { strict as assert } from 'node:assert';
import { inspect } from 'node:util';
import { loadConfig, type Diagnostic } from '../../common/src/config';

const ISSUE_EXAMPLE = `routes:
  - name: chat
    path: /v1/chat/completions
    methods: [POST]
    targets:
      - provider: anthropic              # openai | azure-openai | anthropic | gemini | bedrock | ollama | openai-compatible
        apiKeyEnv: ANTHROPIC_API_KEY     # the credential the gateway holds; read at start
        model: claude-sonnet-4-5         # optional: the model name sent upstream (aliasing)
        url: https://api.anthropic.com   # optional where the provider has a public default
      - provider: openai
        apiKeyEnv: OPENAI_API_KEY
        headers: { OpenAI-Organization: "\${OPENAI_ORG}" }   # extra upstream headers, \${VAR} allowed
    retries: 1
    retryOn: [429, 500, 502, 503, 504, 529, connect-error, timeout]
security:
  - endpoint: /v1/chat/completions
    auth: none
`;
const ENV = { ANTHROPIC_API_KEY: 'sk-ant-test-1', OPENAI_API_KEY: 'sk-openai-test-2', OPENAI_ORG: 'org-42' };

/** "code @ json.path" of each diagnostic, sorted. */
function findings(yaml: string, env: Record<string, string> = ENV, mode: 'editor' | 'start' = 'start'): string[] {
  return loadConfig(yaml, { env, mode })
    .diagnostics.map((d: Diagnostic) => `${d.severity} ${d.code} @ ${d.path.join('.')}`)
    .sort();
}

function route(targets: string, extra = ''): string {
  return `routes:\n  - name: r\n    path: /v1/chat/completions\n${extra}    targets:\n${targets}\nsecurity:\n  - { endpoint: /v1/chat/completions, auth: none }\n`;
}

describe('config model: provider targets', () => {
  it("loads the issue's example as written, with no diagnostic once its variables are set", () => {
    const loaded = loadConfig(ISSUE_EXAMPLE, { env: ENV, mode: 'start' });
    assert.deepEqual(loaded.diagnostics, []);
    const [anthropic, openai] = loaded.config!.routes[0]!.targets;
    assert.equal(anthropic?.url, 'https://api.anthropic.com');
    assert.deepEqual(
      { ...anthropic?.provider, credential: undefined },
      {
        name: 'anthropic',
        apiKeyEnv: 'ANTHROPIC_API_KEY',
        model: 'claude-sonnet-4-5',
        credential: undefined,
      },
    );
    assert.equal(openai?.url, 'https://api.openai.com/v1', "OpenAI's public base URL when none is written");
    assert.deepEqual(openai?.headers, { 'openai-organization': 'org-42' });
    assert.equal(openai?.provider?.credential?.reveal().apiKey, 'sk-openai-test-2');
  });

  it('holds a key that no JSON, inspection or string conversion of the config shows', () => {
    const config = loadConfig(ISSUE_EXAMPLE, { env: ENV, mode: 'start' }).config!;
    const credential = config.routes[0]!.targets[0]!.provider!.credential!;
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 }), String(credential)]) {
      assert.ok(!shown.includes(ENV.ANTHROPIC_API_KEY) && !shown.includes(ENV.OPENAI_API_KEY));
      assert.match(shown, /<held>/);
    }
  });

  it('fills each public default and Bedrock region, and retries what providers say when busy', () => {
    const config = loadConfig(
      route(
        [
          '      - { provider: gemini, apiKeyEnv: K }',
          '      - { provider: bedrock, model: "amazon.nova-lite-v1:0" }',
          '      - { provider: bedrock, region: eu-central-1, apiKeyEnv: K }',
          '      - { provider: ollama }',
        ].join('\n'),
      ),
      { env: { K: 'k', AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-west-2' }, mode: 'start' },
    ).config!;
    const route0 = config.routes[0]!;
    assert.deepEqual(
      route0.targets.map((t) => t.url),
      [
        'https://generativelanguage.googleapis.com',
        'https://bedrock-runtime.us-west-2.amazonaws.com',
        'https://bedrock-runtime.eu-central-1.amazonaws.com',
        'http://127.0.0.1:11434',
      ],
    );
    assert.deepEqual(route0.targets[1]?.provider?.credential?.reveal(), { aws: { accessKeyId: 'AKID', secretAccessKey: 'secret' } });
    assert.deepEqual(route0.targets[2]?.provider?.credential?.reveal(), { apiKey: 'k' }, 'apiKeyEnv: a Bedrock API key, no SigV4');
    assert.equal(route0.targets[3]?.provider?.credential, undefined);
    assert.deepEqual(route0.retryOn, [429, 500, 502, 503, 504, 529, 'connect-error', 'timeout']);
    assert.equal(route0.frontDoor, 'openai');
  });

  it('warns in the editor and refuses at start when apiKeyEnv or the AWS keys are unset', () => {
    const yaml = route('      - { provider: anthropic, apiKeyEnv: ANTHROPIC_API_KEY }\n      - { provider: bedrock, model: "amazon.nova-lite-v1:0" }');
    assert.deepEqual(findings(yaml, {}, 'editor'), [
      'warning env.unset @ routes.0.targets.0.apiKeyEnv',
      'warning env.unset @ routes.0.targets.1.provider',
      'warning env.unset @ routes.0.targets.1.provider',
    ]);
    const atStart = loadConfig(yaml, { env: {}, mode: 'start' });
    assert.equal(atStart.config, undefined);
    assert.deepEqual(
      atStart.diagnostics.map((d) => d.message),
      [
        'Environment variable ANTHROPIC_API_KEY is not set.',
        'Environment variable AWS_ACCESS_KEY_ID is not set (a bedrock target without apiKeyEnv signs its requests with the AWS keys).',
        'Environment variable AWS_SECRET_ACCESS_KEY is not set (a bedrock target without apiKeyEnv signs its requests with the AWS keys).',
      ],
    );
  });

  it('refuses a provider without what it requires, and needs no key for a mock', () => {
    assert.deepEqual(findings(route('      - { provider: azure-openai, apiKeyEnv: K }\n      - { provider: openai-compatible }'), { K: 'k' }), [
      'error provider.urlRequired @ routes.0.targets.0.provider',
      'error provider.urlRequired @ routes.0.targets.1.provider',
    ]);
    assert.deepEqual(findings(route('      - { provider: openai }\n      - { provider: gemini, url: mock://gemini }')), [
      'error provider.apiKeyRequired @ routes.0.targets.0.provider',
    ]);
    assert.deepEqual(findings(route('      - { weight: 2 }')), ['error target.noUrl @ routes.0.targets.0']);
    assert.deepEqual(findings(route('      - { provider: claude, apiKeyEnv: K }'), { K: 'k' }), ['error schema.enum @ routes.0.targets.0.provider']);
  });

  it('warns about a model its provider does not list, with the nearest name, but not where users name models freely', () => {
    const loaded = loadConfig(
      route(
        [
          '      - { provider: anthropic, url: mock://anthropic, model: claude-haiku-4.5 }',
          '      - { provider: azure-openai, url: "https://x.openai.azure.com", apiKeyEnv: K, model: my-deployment }',
          '      - { provider: ollama, model: my-finetune }',
          '      - { provider: bedrock, url: mock://bedrock, model: "us.anthropic.claude-haiku-4-5-20251001-v1:0" }',
        ].join('\n'),
      ),
      { env: { K: 'k' }, mode: 'start' },
    );
    assert.deepEqual(
      loaded.diagnostics.map((d) => [d.code, d.path.join('.'), d.data?.suggestion]),
      [['provider.unknownModel', 'routes.0.targets.0.model', 'claude-haiku-4-5']],
    );
    assert.equal(loaded.diagnostics[0]?.severity, 'warning');
  });

  it('says what cannot work: settings a provider ignores, a mock of another format, credentials in the URL, gateway headers', () => {
    assert.deepEqual(
      findings(
        route(
          [
            '      - { provider: gemini, url: mock://anthropic, deployment: d, region: us-east-1 }',
            '      - { provider: openai, url: "https://user:pass@api.openai.com/v1", apiKeyEnv: K }',
            '      - { url: "http://127.0.0.1:9000", model: m, headers: { Host: h, x-team: ml } }',
          ].join('\n'),
        ),
        { K: 'k' },
      ),
      [
        'error provider.urlCredentials @ routes.0.targets.1.url',
        'error provider.wrongMock @ routes.0.targets.0.url',
        'error target.headerNotAllowed @ routes.0.targets.2.headers.Host',
        'warning provider.settingUnused @ routes.0.targets.0.deployment',
        'warning provider.settingUnused @ routes.0.targets.0.region',
        'warning target.providerSettingUnused @ routes.0.targets.2.model',
      ],
    );
  });

  it('warns about a credential written into a target header, not about one read from the environment', () => {
    const yaml = route('      - { url: "http://127.0.0.1:9000", headers: { x-api-key: sk-literal, Authorization: "Bearer ${TOKEN}", x-team: ml } }');
    const loaded = loadConfig(yaml, { env: { TOKEN: 't' }, mode: 'start' });
    assert.deepEqual(
      loaded.diagnostics.map((d) => [d.code, d.path.join('.'), d.data?.variable]),
      [['secret.plaintextHeader', 'routes.0.targets.0.headers.x-api-key', 'X_API_KEY']],
    );
    assert.deepEqual(findings(route('      - { url: "http://127.0.0.1:9000", headers: { x-api-key: "a\\nb" } }')), [
      'error schema.pattern @ routes.0.targets.0.headers.x-api-key',
    ]);
  });

  it('takes the Anthropic front door only for provider targets, and hints at it on a /messages route', () => {
    assert.deepEqual(
      findings(route('      - { provider: openai, url: mock://openai }', '    frontDoor: anthropic\n').replace(/\/v1\/chat\/completions/g, '/v1/messages')),
      [],
    );
    assert.deepEqual(findings(route('      - { provider: openai, url: mock://openai }\n      - http://127.0.0.1:9000', '    frontDoor: anthropic\n')), [
      'error route.frontDoorNeedsProviders @ routes.0.frontDoor',
    ]);
    assert.deepEqual(findings(route('      - { provider: openai, url: mock://openai }').replace(/\/v1\/chat\/completions/g, '/v1/messages')), [
      'warning route.messagesWithoutFrontDoor @ routes.0.path',
    ]);
  });
});
