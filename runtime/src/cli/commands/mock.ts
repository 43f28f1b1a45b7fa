// `ai-gateway-cli mock [--provider P] [--port N]`: the built-in mock backend, standalone, in one provider's wire format.
import { Command, Option } from 'commander';
import { startMockServer } from '../../mock/mockServer';
import { MOCK_AWS_CREDENTIALS, MOCK_PROVIDERS, type MockProvider } from '../../mock/options';
import type { CommandResult } from '../main';
import { parsePort, untilSignal } from './shutdown';

interface MockFlags {
  provider: MockProvider;
  host: string;
  port: number;
  name: string;
  latency: number;
  failureRate: number;
  status?: number;
  chunkDelay: number;
}

function parseNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`expected a non-negative number, got "${value}"`);
  return parsed;
}

const MOCK_LISTENING = 'mock listening';

export function mockCommand(result: CommandResult): Command {
  return new Command('mock')
    .description(
      "Run the built-in mock AI backend in one provider's wire format (default OpenAI: /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models; every format: /health, /echo).",
    )
    .addOption(new Option('--provider <provider>', 'wire format to speak').choices(MOCK_PROVIDERS).default('openai'))
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('-p, --port <port>', 'listen port, 0 for any free port', parsePort, 9100)
    .option('--name <name>', 'sent back as x-mock-instance', 'mock')
    .option('--latency <ms>', 'delay before each answer', parseNumber, 0)
    .option('--failure-rate <ratio>', 'share of requests answered 500 (0..1)', parseNumber, 0)
    .option('--status <code>', 'answer every API request with this status', parseNumber)
    .option('--chunk-delay <ms>', 'delay between streamed events', parseNumber, 0)
    .addHelpText(
      'after',
      [
        '',
        'Per request: x-mock-status, x-mock-latency, x-mock-chunk-delay, x-mock-cut-after, x-mock-retry-after, x-mock-failure-rate, x-mock-cached-tokens.',
        'Paths: anthropic POST /v1/messages; gemini POST /v1beta/models/{model}:generateContent, :streamGenerateContent?alt=sse, :embedContent, :batchEmbedContents;',
        'bedrock POST /model/{modelId}/converse, /converse-stream, /invoke (SigV4 checked against AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN',
        "of this process, else the mock's test credentials); azure-openai POST /openai/deployments/{deployment}/chat/completions|embeddings?api-version=...",
      ].join('\n'),
    )
    .action(async (flags: MockFlags) => {
      const mock = await startMockServer({
        host: flags.host,
        port: flags.port,
        options: {
          name: flags.name,
          provider: flags.provider,
          latencyMs: flags.latency,
          failureRate: flags.failureRate,
          status: flags.status,
          chunkDelayMs: flags.chunkDelay,
          aws: awsCredentialsFromEnv(),
        },
      });
      process.stdout.write(`${JSON.stringify({ level: 30, msg: MOCK_LISTENING, url: mock.url, provider: flags.provider })}\n`);
      process.stderr.write(
        `Mock AI backend (${flags.provider}) listening on ${mock.url}\n${flags.provider === 'openai' ? `  curl -s ${mock.url}/v1/models\n` : ''}`,
      );
      await untilSignal();
      await mock.close();
      result.exitCode = 0;
    });
}

/** The Bedrock mock checks signatures against this process's AWS variables when both are set. */
function awsCredentialsFromEnv(): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey) return MOCK_AWS_CREDENTIALS;
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}
