// One target of one route: its pool, its live load and latency, and its health (circuit breaker and active checks).
import type { Pool } from 'undici';
import type { CircuitBreakerConfig } from '../../../../common/src/config';
import type { TargetHealthEvent } from '../events';
import { CircuitBreaker } from './circuitBreaker';

/** Weight of the newest sample in the latency moving average. */
const LATENCY_EWMA_ALPHA = 0.3;

export interface TargetInit {
  route: string;
  url: string; // as configured: the label in metrics, logs and events
  origin: string; // what is dialed (mock:// resolves to the in-process mock)
  basePath: string; // path prefix of the target URL, '' when none
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
  readonly url: string;
  readonly origin: string;
  readonly basePath: string;
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
    this.url = init.url;
    this.origin = init.origin;
    this.basePath = init.basePath;
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
