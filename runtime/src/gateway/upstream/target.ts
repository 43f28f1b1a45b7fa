// One target of one route: its pool, its live load and latency, and its health (circuit breaker and active checks).
import type { Pool } from 'undici';
import { redactUrl, type CircuitBreakerConfig } from '../../../../common/src/config';
import type { TargetHealthEvent } from '../events';
import { CircuitBreaker } from './circuitBreaker';
import type { ProviderBinding } from './providerTarget';
import type { ResolvedTarget } from './upstreamGroup';

/** Weight of the newest sample in the latency moving average. */
const LATENCY_EWMA_ALPHA = 0.3;

export interface TargetInit {
  route: string;
  configuredUrl: string; // as configured, credentials included: never shown
  resolved: ResolvedTarget; // what is dialed (mock:// resolves to the in-process mock)
  /** The target's configured headers (lower-case names): set on every request to it. */
  headers?: Record<string, string>;
  provider?: ProviderBinding;
  weight: number;
  pool: Pool;
  circuitBreaker: CircuitBreakerConfig;
  onHealthChange: (event: TargetHealthEvent) => void;
}

/** One request's place in a target's in-flight count. */
export interface TargetLease {
  release(): void;
}

export class UpstreamTarget {
  readonly route: string;
  /** The configured URL with its credentials redacted: the label in metrics, logs, traces, events and errors. */
  readonly url: string;
  /** The configured URL, credentials included: matched across reloads, never shown. */
  readonly configuredUrl: string;
  readonly origin: string;
  readonly basePath: string; // path prefix of the target URL, '' when none
  /** The target URL's query without `?`, '' when none. */
  readonly query: string;
  /**
   * Headers set on every plain request to this target, over the client's: its configured `headers` and the
   * Authorization from its URL's userinfo. Undefined when it has none (the client's headers go as they are).
   */
  readonly fixedHeaders: Readonly<Record<string, string>> | undefined;
  /** From the target URL's userinfo; undefined when it has none (health checks send it too). */
  readonly authorization: string | undefined;
  /** Set when the target names a provider: requests are translated for it (providerTarget.ts). */
  readonly provider: ProviderBinding | undefined;
  readonly weight: number;
  readonly pool: Pool;
  readonly breaker: CircuitBreaker;
  private inFlight = 0;
  /** Moving average of time to first byte; 0 until the first sample, so new targets get tried. */
  latencyMs = 0;
  private activelyHealthy = true;
  private readonly onHealthChange: (event: TargetHealthEvent) => void;

  constructor(init: TargetInit) {
    this.route = init.route;
    this.url = redactUrl(init.configuredUrl);
    this.configuredUrl = init.configuredUrl;
    this.origin = init.resolved.origin;
    this.basePath = init.resolved.basePath;
    this.query = init.resolved.query;
    this.authorization = init.resolved.authorization;
    const fixed = { ...init.headers, ...(this.authorization !== undefined ? { authorization: this.authorization } : {}) };
    this.fixedHeaders = Object.keys(fixed).length > 0 ? fixed : undefined;
    this.provider = init.provider;
    this.weight = init.weight;
    this.pool = init.pool;
    this.onHealthChange = init.onHealthChange;
    this.breaker = new CircuitBreaker(init.circuitBreaker, (state, detail) => {
      if (state === 'half-open') return; // still unavailable to ordinary traffic: no health change yet
      this.onHealthChange({ route: this.route, target: this.url, healthy: state === 'closed' && this.activelyHealthy, source: 'circuit-breaker', detail });
    });
  }

  /** Requests in flight (sent, and their answer not yet relayed): what least-connections balances on. */
  get active(): number {
    return this.inFlight;
  }

  /** Counts one request in flight until the lease is released; the count has no other writer. */
  lease(): TargetLease {
    this.inFlight += 1;
    let held = true;
    return {
      release: () => {
        if (!held) return; // whoever releases first wins: a later release on another path changes nothing
        held = false;
        this.inFlight -= 1;
      },
    };
  }

  isAvailable(now: number): boolean {
    return this.activelyHealthy && this.breaker.allows(now);
  }

  get healthy(): boolean {
    return this.activelyHealthy && this.breaker.current === 'closed';
  }

  get activeHealth(): boolean {
    return this.activelyHealthy;
  }

  setActiveHealth(healthy: boolean, detail: string): void {
    if (healthy === this.activelyHealthy) return;
    this.activelyHealthy = healthy;
    this.onHealthChange({ route: this.route, target: this.url, healthy, source: 'health-check', detail });
  }

  /** Whether `other` is this target in a config that replaces this one's: the same URL, and the same provider and model. */
  sameBackend(other: UpstreamTarget): boolean {
    return (
      other.configuredUrl === this.configuredUrl &&
      other.provider?.name === this.provider?.name &&
      other.provider?.settings.model === this.provider?.settings.model
    );
  }

  /** The same route's target of the same URL in the config this one replaces: its health and latency carry over. */
  carryOver(from: UpstreamTarget): void {
    this.activelyHealthy = from.activelyHealthy;
    this.latencyMs = from.latencyMs;
    this.breaker.carryOver(from.breaker);
  }

  recordLatency(ms: number): void {
    this.latencyMs = this.latencyMs === 0 ? ms : this.latencyMs + LATENCY_EWMA_ALPHA * (ms - this.latencyMs);
  }
}
