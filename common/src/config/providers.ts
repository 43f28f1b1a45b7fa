// What the config model knows of each provider a target may name: its public default URL, what it requires, the
// settings it takes, the variable its key is conventionally in, and which built-in mock speaks its wire format. The
// runtime's adapters (runtime/src/providers) do the talking; this table is what the schema's rules, normalize, the
// editor and the runtime's mock wiring agree on.

export const PROVIDER_NAMES = ['openai', 'azure-openai', 'anthropic', 'gemini', 'bedrock', 'ollama', 'openai-compatible'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Provider-specific settings a target may carry besides `provider`, `apiKeyEnv`, `model`, `url` and `headers`. */
export type ProviderSetting = 'apiVersion' | 'deployment' | 'region';

export interface ProviderSpec {
  /** How the editor names it. */
  label: string;
  /** The base URL used when the target has none; absent where there is no public one (url required). */
  defaultUrl?: string | ((region: string) => string);
  /** `apiKeyEnv` must be set (a provider that refuses requests without a key); Bedrock may sign with AWS variables instead. */
  keyRequired: boolean;
  /** Settings beyond the common ones that this provider reads. */
  settings: readonly ProviderSetting[];
  /** The variable its own SDKs read the key from: offered first by the editor. */
  conventionalKeyEnv?: string;
  /** The built-in mock that speaks its wire format (`mock://<name>`). */
  mock: 'openai' | 'anthropic' | 'gemini' | 'bedrock' | 'azure-openai';
  /** Where the held credential goes, for hovers and docs. */
  credential: string;
}

/** Bedrock's region when neither the target, AWS_REGION nor AWS_DEFAULT_REGION names one. */
export const BEDROCK_DEFAULT_REGION = 'us-east-1';

export const PROVIDER_SPECS: Record<ProviderName, ProviderSpec> = {
  openai: {
    label: 'OpenAI',
    defaultUrl: 'https://api.openai.com/v1',
    keyRequired: true,
    settings: [],
    conventionalKeyEnv: 'OPENAI_API_KEY',
    mock: 'openai',
    credential: '`Authorization: Bearer <key>`',
  },
  'azure-openai': {
    label: 'Azure OpenAI',
    keyRequired: true,
    settings: ['apiVersion', 'deployment'],
    conventionalKeyEnv: 'AZURE_OPENAI_API_KEY',
    mock: 'azure-openai',
    credential: '`api-key: <key>`, the deployment and `api-version` in the URL',
  },
  anthropic: {
    label: 'Anthropic',
    defaultUrl: 'https://api.anthropic.com',
    keyRequired: true,
    settings: ['apiVersion'],
    conventionalKeyEnv: 'ANTHROPIC_API_KEY',
    mock: 'anthropic',
    credential: '`x-api-key: <key>` with `anthropic-version`',
  },
  gemini: {
    label: 'Google Gemini',
    defaultUrl: 'https://generativelanguage.googleapis.com',
    keyRequired: true,
    settings: [],
    conventionalKeyEnv: 'GEMINI_API_KEY',
    mock: 'gemini',
    credential: '`x-goog-api-key: <key>`',
  },
  bedrock: {
    label: 'Amazon Bedrock',
    defaultUrl: (region) => `https://bedrock-runtime.${region}.amazonaws.com`,
    keyRequired: false,
    settings: ['region'],
    conventionalKeyEnv: 'AWS_BEARER_TOKEN_BEDROCK',
    mock: 'bedrock',
    credential: 'AWS SigV4 from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN), or a Bedrock API key from apiKeyEnv as `Authorization: Bearer`',
  },
  ollama: {
    label: 'Ollama',
    defaultUrl: 'http://127.0.0.1:11434',
    keyRequired: false,
    settings: [],
    mock: 'openai',
    credential: '`Authorization: Bearer <key>` when apiKeyEnv is set (Ollama itself needs none)',
  },
  'openai-compatible': {
    label: 'an OpenAI-compatible server',
    keyRequired: false,
    settings: [],
    mock: 'openai',
    credential: '`Authorization: Bearer <key>` when apiKeyEnv is set',
  },
};

/** The AWS variables a Bedrock target without apiKeyEnv signs with. */
export const AWS_KEY_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

export function isProviderName(value: unknown): value is ProviderName {
  return typeof value === 'string' && (PROVIDER_NAMES as readonly string[]).includes(value);
}

/** The region a Bedrock target signs for: its own, then the standard AWS variables, then us-east-1. */
export function bedrockRegion(region: string | undefined, env: Record<string, string | undefined>): string {
  return region || env.AWS_REGION || env.AWS_DEFAULT_REGION || BEDROCK_DEFAULT_REGION;
}

/** The provider's public base URL, or undefined where it has none. */
export function providerDefaultUrl(provider: ProviderName, region: string): string | undefined {
  const url = PROVIDER_SPECS[provider].defaultUrl;
  return typeof url === 'function' ? url(region) : url;
}
