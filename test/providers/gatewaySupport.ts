// Shared by the tests of provider targets through a running gateway: a gateway from YAML with its own environment,
// the `openai` SDK as the client on one of its routes (no retries of its own, so each test sees one answer), and the
// tool the mocks call.
import { loadConfig } from '../../common/src/config';
import type { GatewayConfig } from '../../common/src/config';
import OpenAI from 'openai';
import { startTestGateway } from '../gateway/support';

export function providerConfig(yaml: string, env: Record<string, string> = {}): GatewayConfig {
  const loaded = loadConfig(yaml, { mode: 'start', env });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.config || errors.length > 0) throw new Error(`test config has errors: ${errors.map((d) => d.message).join('; ')}`);
  return loaded.config;
}

export type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;

export async function providerGateway(
  yaml: string,
  env: Record<string, string> = {},
  options: Parameters<typeof startTestGateway>[1] = {},
): Promise<TestGateway> {
  return startTestGateway(providerConfig(yaml, env), { env, ...options });
}

/** The OpenAI SDK on `base` (e.g. `/anthropic/v1`), with a client key of its own that must never reach a provider. */
export function openaiClient(gateway: { url: string }, base: string, apiKey = 'client-own-key-never-forwarded'): OpenAI {
  return new OpenAI({ baseURL: `${gateway.url}${base}`, apiKey, maxRetries: 0 });
}

export const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
  },
};
