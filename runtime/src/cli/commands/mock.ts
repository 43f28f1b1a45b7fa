// `ai-gateway-cli mock [--port N]`: the built-in OpenAI-compatible mock backend, standalone.
import { Command } from 'commander';
import { startMockServer } from '../../mock/mockServer';
import type { CommandResult } from '../main';
import { parsePort, untilSignal } from './shutdown';

interface MockFlags {
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
    .description('Run the built-in mock AI backend (OpenAI-compatible /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models, /health).')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('-p, --port <port>', 'listen port, 0 for any free port', parsePort, 9100)
    .option('--name <name>', 'sent back as x-mock-instance', 'mock')
    .option('--latency <ms>', 'delay before each answer', parseNumber, 0)
    .option('--failure-rate <ratio>', 'share of requests answered 500 (0..1)', parseNumber, 0)
    .option('--status <code>', 'answer every API request with this status', parseNumber)
    .option('--chunk-delay <ms>', 'delay between streamed events', parseNumber, 0)
    .addHelpText('after', '\nPer request: x-mock-status, x-mock-latency, x-mock-chunk-delay, x-mock-cut-after, x-mock-retry-after, x-mock-failure-rate.')
    .action(async (flags: MockFlags) => {
      const mock = await startMockServer({
        host: flags.host,
        port: flags.port,
        options: { name: flags.name, latencyMs: flags.latency, failureRate: flags.failureRate, status: flags.status, chunkDelayMs: flags.chunkDelay },
      });
      process.stdout.write(`${JSON.stringify({ level: 30, msg: MOCK_LISTENING, url: mock.url })}\n`);
      process.stderr.write(`Mock AI backend listening on ${mock.url}\n  curl -s ${mock.url}/v1/models\n`);
      await untilSignal();
      await mock.close();
      result.exitCode = 0;
    });
}
