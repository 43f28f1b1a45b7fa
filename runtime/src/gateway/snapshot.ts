// A compiled config: everything derivable from the YAML (route table, upstream pools and balancers, and the
// parts other areas compile, such as key hashes or limiters) built once at apply time. Requests hold the
// snapshot they started with; a retired snapshot is disposed when its last request ends.
import type { GatewayConfig } from '../../../common/src/config';
import type { RouteTable } from './routing/compileRoutes';
import type { UpstreamGroup } from './upstream/upstreamGroup';

/** A piece of per-config state owned by another area (security, observability), compiled with the config. */
export interface ConfigPart<T> {
  name: string;
  /** Throwing refuses the whole config (the last good one keeps serving). */
  compile(config: GatewayConfig, previous: T | undefined): T;
  dispose?(value: T): void;
}

export class ConfigSnapshot {
  private readonly parts = new Map<ConfigPart<unknown>, unknown>();
  private inFlight = 0;
  private retired = false;
  private disposed = false;
  /** Token limits need each response's `usage`, so the proxy reads it even when no observer listens. */
  readonly needsUsage: boolean;

  constructor(
    readonly version: number,
    readonly config: GatewayConfig,
    readonly routes: RouteTable,
    readonly upstreams: ReadonlyMap<string, UpstreamGroup>,
  ) {
    this.needsUsage = config.security.some((rule) => rule.rateLimit?.tokens !== undefined);
  }

  /** The part's compiled value for this config (compiled on first use if it was registered after apply). */
  part<T>(part: ConfigPart<T>, previous?: ConfigSnapshot): T {
    const compiled = this.parts.get(part); // one lookup on the hot path: several stages ask per request
    if (compiled !== undefined || this.parts.has(part)) return compiled as T;
    const prior = previous?.parts.get(part) as T | undefined;
    const value = part.compile(this.config, prior);
    this.parts.set(part, value);
    return value;
  }

  acquire(): void {
    this.inFlight += 1;
  }

  release(): void {
    this.inFlight -= 1;
    if (this.retired && this.inFlight === 0) this.dispose();
  }

  /** No new request will use this snapshot; it is disposed once the in-flight ones finish. */
  retire(): void {
    this.retired = true;
    if (this.inFlight === 0) this.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const group of this.upstreams.values()) group.dispose();
    for (const [part, value] of this.parts) part.dispose?.(value);
  }
}
