// What the gateway tells observers (metrics, access logs, traces, webhooks, token rate limits) as it works.
// The proxy checks `has(name)` before building an event so an unobserved event costs nothing.
import type { Diagnostic, ProviderName } from '../../../common/src/config';
import { TypedEmitter } from './typedEmitter';

/** `client-error`: the client's side failed the exchange (body too large or too slow, a header that cannot be sent). */
export type AttemptOutcome = 'response' | 'connect-error' | 'timeout' | 'aborted' | 'client-error' | 'error';
export type FailureReason = 'connect-error' | 'timeout' | 'status' | 'error';

export interface UpstreamAttemptEvent {
  requestId: string;
  route: string;
  target: string;
  attempt: number; // 1-based
  outcome: AttemptOutcome;
  status?: number;
  /** Time from sending the request to the response headers (or to the failure). */
  durationMs: number;
  errorCode?: string;
  /** A provider target's provider and the model sent to it. */
  provider?: ProviderName;
  model?: string;
}

export interface UpstreamRetryEvent {
  requestId: string;
  route: string;
  fromTarget: string;
  toTarget: string;
  /** True when the retry goes to another target than the failed one. */
  failover: boolean;
  reason: FailureReason;
  status?: number;
  delayMs: number;
  attempt: number; // the attempt about to start
}

export interface TargetHealthEvent {
  route: string;
  target: string;
  healthy: boolean;
  /** Why it changed: the circuit breaker (passive) or an active health check. */
  source: 'circuit-breaker' | 'health-check';
  detail: string;
}

export interface StreamCutEvent {
  requestId: string;
  route: string;
  target: string;
  reason: 'upstream-error' | 'idle-timeout' | 'total-timeout';
  sse: boolean;
  message: string;
}

export interface UsageEvent {
  requestId: string;
  route: string;
  consumer?: string;
  /** The model sent upstream (a provider target's alias), else the client's. */
  model?: string;
  /** The provider that served it; absent for a plain URL target. */
  provider?: ProviderName;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedTokens?: number;
}

export interface FirstByteEvent {
  requestId: string;
  route: string;
  target: string;
  ttfbMs: number;
  provider?: ProviderName;
  model?: string;
}

export interface ConfigAppliedEvent {
  version: number;
  routes: number;
  source?: string; // the config file, "admin-api" or "cluster"; absent at start
}

/** A config change was refused (invalid YAML, failed validation or compile); the last good config keeps serving. */
export interface ConfigRejectedEvent {
  source?: string;
  diagnostics: Diagnostic[];
}

export interface GatewayEventMap {
  'config.applied': ConfigAppliedEvent;
  'config.rejected': ConfigRejectedEvent;
  'upstream.attempt': UpstreamAttemptEvent;
  'upstream.retry': UpstreamRetryEvent;
  'upstream.first-byte': FirstByteEvent;
  'target.health': TargetHealthEvent;
  'stream.cut': StreamCutEvent;
  usage: UsageEvent;
}

export class GatewayEvents extends TypedEmitter<GatewayEventMap> {}
