// The provider translators, one adapter per provider: what the proxy calls to speak to a provider target.
import { anthropicAdapter } from './anthropic';
import { azureOpenAIAdapter } from './azureOpenai';
import { bedrockAdapter } from './bedrock';
import { geminiAdapter } from './gemini';
import { ollamaAdapter, openaiAdapter, openaiCompatibleAdapter } from './openai';
import type { AwsCredentials, ProviderAdapter, ProviderName } from './types';

export * from './types';
export type { TokenUsage } from './openaiShapes';
export { anthropicMessagesToOpenAI, openAIAnswerToAnthropic, openAIErrorToAnthropic } from './messagesFrontDoor';
export { translateOpenAIStreamToAnthropic } from './messagesFrontDoorStream';

const ADAPTERS: Record<ProviderName, ProviderAdapter> = {
  openai: openaiAdapter,
  'azure-openai': azureOpenAIAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  bedrock: bedrockAdapter,
  ollama: ollamaAdapter,
  'openai-compatible': openaiCompatibleAdapter,
};

export function adapterFor(provider: ProviderName): ProviderAdapter {
  return ADAPTERS[provider];
}

/** The standard AWS variables, read once when the config is applied: credentials when both key variables are set. */
export function awsSettingsFromEnv(env: Record<string, string | undefined>): { credentials: AwsCredentials | undefined; region: string | undefined } {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  const credentials = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined;
  return { credentials, region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined };
}
