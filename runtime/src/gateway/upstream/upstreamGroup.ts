// A route's upstream side, compiled at config apply: its targets (with pools from the registry), its balancer and
// its active health checkers. Disposed when no request uses the config snapshot any more. A target the previous
// config of the same route also had keeps its health: an unrelated edit must not revive a dead backend.
import type { RouteConfig, ServerLimits, TargetConfig } from '../../../../common/src/config';
import type { GatewayEvents } from '../events';
import { createBalancer, type Balancer } from './balancer';
import { ActiveHealthChecker } from './healthChecker';
import type { PoolRegistry, PoolSettings } from './poolRegistry';
import { bindProvider } from './providerTarget';
import { UpstreamTarget } from './target';

export interface UpstreamGroup {
  route: string;
  targets: readonly UpstreamTarget[];
  balancer: Balancer;
  dispose(): void;
}

export interface ResolvedTarget {
  origin: string;
  basePath: string;
  /** The target URL's own query string, without `?` ('' when none): sent before the request's. */
  query: string;
  /** `Basic ...` from the target URL's userinfo: replaces the client's Authorization on requests to it. */
  authorization?: string;
  /** Served by the built-in mock (a mock:// URL, or unreachable with mockUnreachableTargets). */
  mocked?: true;
}

export interface UpstreamDeps {
  pools: PoolRegistry;
  limits: ServerLimits;
  events: GatewayEvents;
  /** Maps a configured target of a route to what is dialed (mock:// and replay:// -> in-process servers). */
  resolveTarget(target: TargetConfig, route: string): ResolvedTarget;
}

/** `previous`: the route's group in the config being replaced, whose targets' health carries over by URL. */
export function compileUpstreamGroup(route: RouteConfig, deps: UpstreamDeps, previous?: UpstreamGroup): UpstreamGroup {
  const acquired: PoolSettings[] = [];
  const targets = route.targets.map((targetConfig) => {
    const resolved = deps.resolveTarget(targetConfig, route.name);
    const settings: PoolSettings = {
      origin: resolved.origin,
      connectTimeoutMs: route.connectTimeoutMs,
      maxConnections: deps.limits.maxUpstreamConnections,
      caFile: targetConfig.ca,
    };
    const pool = deps.pools.acquire(settings);
    acquired.push(settings);
    const target = new UpstreamTarget({
      route: route.name,
      configuredUrl: targetConfig.url,
      resolved,
      headers: targetConfig.headers,
      provider: bindProvider(targetConfig, resolved),
      weight: targetConfig.weight,
      pool,
      circuitBreaker: route.circuitBreaker,
      onHealthChange: (event) => deps.events.emit('target.health', event),
    });
    const prior = previous?.targets.find((candidate) => candidate.sameBackend(target));
    if (prior) target.carryOver(prior);
    return target;
  });
  const checkers = route.healthCheck ? targets.map((target) => new ActiveHealthChecker(target, route.healthCheck!)) : [];
  for (const checker of checkers) checker.start();
  return {
    route: route.name,
    targets,
    balancer: createBalancer(route.loadBalancing, targets),
    dispose() {
      for (const checker of checkers) checker.stop();
      for (const settings of acquired) deps.pools.release(settings);
    },
  };
}
