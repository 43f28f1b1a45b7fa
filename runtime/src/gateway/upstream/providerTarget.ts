// A target that names a provider, compiled when the config is applied: its adapter, and the settings the adapter
// builds each request from (the base URL as dialed, the held key revealed, the alias), so a request only translates.
// A target the built-in mock serves (mock://, or unreachable with mockUnreachableTargets) gets the mock's test
// credentials instead of the held ones: a real key never goes to a mock.
import type { ProviderName, TargetConfig } from '../../../../common/src/config';
import { MOCK_AWS_CREDENTIALS } from '../../mock/options';
import { adapterFor, type ProviderAdapter, type ProviderTarget } from '../../providers';
import type { ResolvedTarget } from './upstreamGroup';

/** What a mock checks of a key: that there is one. */
const MOCK_API_KEY = 'mock-key';

export interface ProviderBinding {
  name: ProviderName;
  adapter: ProviderAdapter;
  /** What the adapter is given: `url` starts with `origin`, the pool's origin, so an upstream URL is origin + path. */
  settings: ProviderTarget;
  origin: string;
  /** Answers of these providers are OpenAI's own: relayed as they come unless the client speaks another API. */
  openAIShaped: boolean;
}

const OPENAI_SHAPED: ReadonlySet<ProviderName> = new Set(['openai', 'azure-openai', 'ollama', 'openai-compatible']);

export function bindProvider(target: TargetConfig, resolved: ResolvedTarget): ProviderBinding | undefined {
  const provider = target.provider;
  if (!provider) return undefined;
  const name = provider.name;
  // mock://openai is the server's root; an OpenAI SDK's base URL (what these adapters take) ends in /v1.
  const basePath = resolved.mocked && resolved.basePath === '' && (name === 'openai' || name === 'openai-compatible') ? '/v1' : resolved.basePath;
  const held = resolved.mocked ? mockCredential(name, provider.apiKeyEnv !== undefined) : (provider.credential?.reveal() ?? {});
  const settings: ProviderTarget = {
    provider: name,
    url: resolved.origin + basePath,
    ...(provider.model !== undefined ? { model: provider.model } : {}),
    ...(held.apiKey !== undefined ? { apiKey: held.apiKey } : {}),
    ...(held.aws !== undefined ? { aws: held.aws } : {}),
    ...(provider.apiVersion !== undefined ? { apiVersion: provider.apiVersion } : {}),
    ...(provider.deployment !== undefined ? { deployment: provider.deployment } : {}),
    ...(provider.region !== undefined ? { region: provider.region } : {}),
    ...(target.headers ? { headers: target.headers } : {}),
  };
  return { name, adapter: adapterFor(name), settings, origin: resolved.origin, openAIShaped: OPENAI_SHAPED.has(name) };
}

function mockCredential(name: ProviderName, hasKeyEnv: boolean): { apiKey?: string; aws?: typeof MOCK_AWS_CREDENTIALS } {
  if (name === 'bedrock' && !hasKeyEnv) return { aws: MOCK_AWS_CREDENTIALS };
  return { apiKey: MOCK_API_KEY };
}
