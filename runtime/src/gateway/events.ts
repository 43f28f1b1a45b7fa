// What the gateway tells observers (metrics, access logs, traces, webhooks, token rate limits) as it works.
// A tiny typed emitter: the proxy checks `has(name)` before building an event so an unobserved event costs nothing.
import type { Diagnostic } from '../../../common/src/config';

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
  model?: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface FirstByteEvent {
  requestId: string;
  route: string;
  target: string;
  ttfbMs: number;
}

export interface ConfigAppliedEvent {
  version: number;
  routes: number;
  source?: string; // the config file, or "admin-api"
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

export type GatewayEventName = keyof GatewayEventMap;
type Listener<K extends GatewayEventName> = (event: GatewayEventMap[K]) => void;

export class GatewayEvents {
  private readonly listeners: { [K in GatewayEventName]?: Listener<K>[] } = {};

  on<K extends GatewayEventName>(name: K, listener: Listener<K>): () => void {
    const list = (this.listeners[name] ??= []) as Listener<K>[];
    list.push(listener);
    return () => {
      const index = list.indexOf(listener);
      if (index >= 0) list.splice(index, 1);
    };
  }

  has(name: GatewayEventName): boolean {
    return (this.listeners[name]?.length ?? 0) > 0;
  }

  /** A throwing listener is an observer's bug: it must never fail a request, so it is reported and skipped. */
  emit<K extends GatewayEventName>(name: K, event: GatewayEventMap[K]): void {
    const list = this.listeners[name];
    if (!list) return;
    for (const listener of list) {
      try {
        listener(event);
      } catch (err) {
        process.emitWarning(`gateway event listener for "${name}" threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
