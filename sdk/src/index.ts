// The AI Gateway SDK: `new AIGateway({ url, apiKey })`, or `connect({ cluster: 'aimlops' })` for a context saved
// by `ai-gateway-cli init`. Import it as `ai-gateway-vscode/sdk` (package.json "exports").
import { AIGateway, type AIGatewayOptions } from './client';

export { AIGateway, type AIGatewayOptions, type CallOptions, type MetricsQuery, type SpendQuery } from './client';
export { AIGatewayError, ApiKeyRequiredError } from './errors';
export { backoffDelay, RETRY_STATUSES, type RetryOptions } from './clientRetry';
export {
  DEFAULT_GATEWAY_URL,
  ENV_KEY,
  ENV_URL,
  readUserConfig,
  resolveConnection,
  userConfigPath,
  writeUserConfig,
  type ClusterContext,
  type Connection,
  type UserConfig,
} from './contexts';
export { Admin, Traffic } from '../../common/src/protocol';
export type { GatewayConfig, RouteConfig, SecurityRule, LogLevel, Diagnostic } from '../../common/src/config';

/** The product card's `AI_Gateway(api_key=...).connect(cluster='aimlops')` in one call. */
export function connect(options: AIGatewayOptions & { cluster?: string } = {}): Promise<AIGateway> {
  const { cluster, ...rest } = options;
  return new AIGateway(rest).connect({ cluster });
}
export * from './routeTests';
