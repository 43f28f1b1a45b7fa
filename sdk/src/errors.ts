// What an SDK call can fail with: the gateway's answer (status, error type, message, diagnostics) or no answer.
import type { Diagnostic } from '../../common/src/config';

export class AIGatewayError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the gateway gave no answer. */
    readonly status: number,
    /** The error body's `type` ("unauthorized", "invalid_config", "already_exists", ...), or a client-side one. */
    readonly type: string,
    readonly diagnostics: Diagnostic[] = [],
    /** The file diagnostic positions refer to (the gateway's config), when the gateway names one. */
    readonly file?: string,
  ) {
    super(message);
    this.name = 'AIGatewayError';
  }
}

/** The product card's check: `if not os.environ.get('AI_GATEWAY_API_KEY'): raise ValueError('API key required')`. */
export class ApiKeyRequiredError extends AIGatewayError {
  constructor() {
    super('API key required: pass --key, set AI_GATEWAY_API_KEY, or save one with `ai-gateway-cli init --cluster NAME --key KEY`.', 0, 'api_key_required');
    this.name = 'ApiKeyRequiredError';
  }
}
