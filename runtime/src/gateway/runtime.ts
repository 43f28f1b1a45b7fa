// The running gateway's state: the current compiled config, swapped atomically on apply, plus what outlives
// configs (connection pools, the in-process mock backend, event listeners, the logger).
import pino, { type Logger } from 'pino';
import { PROVIDER_SPECS, redactUrl, type GatewayConfig, type TargetConfig } from '../../../common/src/config';
import { startMockServer, type MockServer } from '../mock/mockServer';
import { isMockProvider, MOCK_PROVIDERS, type MockProvider } from '../mock/options';
import { startReplayServer, type ReplayServer } from '../replay/replayServer';
import * as path from 'node:path';
import { GatewayEvents } from './events';
import { compileRoutes } from './routing/compileRoutes';
import { ConfigSnapshot, type ConfigPart } from './snapshot';
import { unreachableTargets } from './unreachableTargets';
import { PoolRegistry } from './upstream/poolRegistry';
import { compileUpstreamGroup, type ResolvedTarget, type UpstreamGroup } from './upstream/upstreamGroup';

export interface GatewayRuntimeOptions {
  logger?: Logger;
  events?: GatewayEvents;
  /** Wins over gateway.mockUnreachableTargets when set (AI_GATEWAY_MOCK_UNREACHABLE_TARGETS, the editor's setting). */
  mockUnreachableTargets?: boolean;
  /** The folder `replay://` paths are relative to: the config file's (default: the working directory). */
  baseDir?: string;
}

export class GatewayRuntime {
  readonly events: GatewayEvents;
  readonly logger: Logger;
  private readonly pools = new PoolRegistry();
  private readonly parts: ConfigPart<unknown>[] = [];
  private current: ConfigSnapshot | undefined;
  private readonly mocks = new Map<MockProvider, Promise<MockServer>>();
  private version = 0;
  private applying: Promise<unknown> = Promise.resolve();
  private readonly mockUnreachableOverride: boolean | undefined;
  private readonly replays = new Map<string, Promise<ReplayServer>>();
  private readonly baseDir: string;

  constructor(options: GatewayRuntimeOptions = {}) {
    this.events = options.events ?? new GatewayEvents();
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.mockUnreachableOverride = options.mockUnreachableTargets;
    this.baseDir = options.baseDir ?? process.cwd();
  }

  /** The config new requests run under. */
  get snapshot(): ConfigSnapshot {
    if (!this.current) throw new Error('the gateway has no config applied yet');
    return this.current;
  }

  get hasConfig(): boolean {
    return this.current !== undefined;
  }

  /** Registers per-config state another area compiles with every config (compiled now if a config is live). */
  registerPart<T>(part: ConfigPart<T>): void {
    this.parts.push(part);
    this.current?.part(part);
  }

  /**
   * Compiles and swaps in a config; throws (and keeps the current one) when it cannot be compiled. Applies queue.
   * `source` (the config file, "admin-api", "cluster") is told to `config.applied` listeners.
   */
  apply(config: GatewayConfig, source?: string): Promise<ConfigSnapshot> {
    const result = this.applying.then(() => this.compileAndSwap(config, source));
    this.applying = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.current?.retire();
    this.current = undefined;
    await this.pools.closeAll();
    for (const starting of this.mocks.values()) await (await starting.catch(() => undefined))?.close();
    for (const starting of this.replays.values()) await (await starting.catch(() => undefined))?.close();
  }

  private async compileAndSwap(config: GatewayConfig, source: string | undefined): Promise<ConfigSnapshot> {
    const resolveTarget = await this.targetResolver(config);
    const groups = new Map<string, UpstreamGroup>();
    const deps = { pools: this.pools, limits: config.gateway.limits, events: this.events, resolveTarget };
    try {
      for (const route of config.routes) groups.set(route.name, compileUpstreamGroup(route, deps, this.current?.upstreams.get(route.name)));
      const snapshot = new ConfigSnapshot(this.version + 1, config, compileRoutes(config), groups);
      for (const part of this.parts) snapshot.part(part, this.current);
      this.version = snapshot.version;
      const previous = this.current;
      this.current = snapshot;
      this.logger.level = config.gateway.logLevel;
      previous?.retire();
      this.events.emit('config.applied', { version: snapshot.version, routes: config.routes.length, ...(source ? { source } : {}) });
      return snapshot;
    } catch (err) {
      for (const group of groups.values()) group.dispose();
      throw err;
    }
  }

  private async targetResolver(config: GatewayConfig): Promise<(target: TargetConfig, route: string) => ResolvedTarget> {
    const targets = config.routes.flatMap((route) => route.targets);
    const unreachable = new Set<string>();
    const replayOrigins = new Map<string, string>();
    for (const { url } of targets) if (url.startsWith('replay:') && !replayOrigins.has(url)) replayOrigins.set(url, (await this.replayServer(url)).url);
    if (this.mockUnreachableOverride ?? config.gateway.mockUnreachableTargets) {
      const urls = new Set(targets.map((target) => target.url).filter((url) => !url.startsWith('mock:') && !url.startsWith('replay:')));
      for (const { url, reason } of await unreachableTargets([...urls])) {
        unreachable.add(url);
        const formats = [...new Set(targets.filter((target) => target.url === url).map((target) => `mock://${mockFormatOf(target)}`))];
        this.logger.warn(
          { target: redactUrl(url), reason },
          `target not reachable from here: served by the built-in ${formats.join(' and ')} (mockUnreachableTargets)`,
        );
      }
    }
    const formats = new Set<MockProvider>();
    for (const target of targets) {
      if (target.url.startsWith('mock:')) formats.add(mockProviderOf(target.url));
      else if (unreachable.has(target.url)) formats.add(mockFormatOf(target));
    }
    const mockOrigins = new Map<MockProvider, string>();
    for (const format of formats) mockOrigins.set(format, (await this.mockServer(format)).url);
    return (target, route) => {
      const { url } = target;
      const replayOrigin = replayOrigins.get(url);
      // The replay server matches on the route: it comes first in the path.
      if (replayOrigin) return { origin: replayOrigin, basePath: `/${encodeURIComponent(route)}`, query: '', mocked: true };
      if (url.startsWith('mock:')) return { origin: mockOrigins.get(mockProviderOf(url))!, basePath: mockBasePath(url), query: '', mocked: true };
      // A provider's base URL keeps its path on the mock (/v1 of https://api.openai.com/v1); a plain target's requests go to the mock's own paths.
      if (unreachable.has(url))
        return { origin: mockOrigins.get(mockFormatOf(target))!, basePath: target.provider ? mockBasePath(url) : '', query: '', mocked: true };
      return resolveUrl(url);
    };
  }

  /** One in-process replay server per fixtures folder and pace, started on first use. */
  private replayServer(url: string): Promise<ReplayServer> {
    const options = replayOptions(url, this.baseDir);
    const key = `${options.pace}:${options.dir}`;
    let server = this.replays.get(key);
    if (!server) {
      server = startReplayServer(options);
      this.replays.set(key, server);
    }
    return server;
  }

  /** One in-process mock per provider format, started on first use. */
  private mockServer(provider: MockProvider): Promise<MockServer> {
    let mock = this.mocks.get(provider);
    if (!mock) {
      mock = startMockServer({ options: { name: `mock://${provider}`, provider } });
      this.mocks.set(provider, mock);
    }
    return mock;
  }
}

/**
 * What is dialed for a target URL. Its userinfo becomes the `Authorization: Basic` of every request to it (as curl
 * sends it), and its query string goes before the request's own: neither is dropped, and neither is ever shown.
 */
function resolveUrl(url: string): ResolvedTarget {
  const parsed = new URL(url);
  const basePath = parsed.pathname === '/' ? '' : parsed.pathname.replace(/\/$/, '');
  const query = parsed.search.slice(1);
  if (parsed.username === '' && parsed.password === '') return { origin: parsed.origin, basePath, query };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  return { origin: parsed.origin, basePath, query, authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
}

/** `replay://fixtures/` -> the folder beside the config; `replay:///abs/dir` -> that folder; `?pace=instant`. */
function replayOptions(url: string, baseDir: string): { dir: string; pace: 'recorded' | 'instant' } {
  const [location = '', query = ''] = url.slice('replay://'.length).split('?');
  const pace = new URLSearchParams(query).get('pace') === 'instant' ? 'instant' : 'recorded';
  return { dir: path.resolve(baseDir, decodeURIComponent(location) || '.'), pace };
}

function mockProviderOf(url: string): MockProvider {
  const host = new URL(url).host;
  if (!isMockProvider(host)) throw new Error(`unknown mock target "${url}": the built-in mocks are ${MOCK_PROVIDERS.map((p) => `mock://${p}`).join(', ')}`);
  return host;
}

/** The mock that stands in for a target: its provider's wire format, OpenAI's for a plain URL. */
function mockFormatOf(target: TargetConfig): MockProvider {
  return target.provider ? PROVIDER_SPECS[target.provider.name].mock : 'openai';
}

function mockBasePath(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname === '/' ? '' : parsed.pathname.replace(/\/$/, '');
}
