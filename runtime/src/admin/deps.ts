// What the admin API works on: the running gateway (reads), the config store (writes), request statistics
// (metrics) and the admin key. Plain data and interfaces, so the API can be tested on `app.callback()`.
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../../common/src/config';
import type { ConfigStore } from '../configStore/configStore';
import type { Admin, RequestTrace } from '../../../common/src/protocol';
import type { SpendLedger } from '../cost/spendLedger';
import type { TrafficLog } from '../traffic/trafficLog';
import { AdminError } from './adminErrors';

/** What the observability area reports: this process's (observability/observability.ts), or all workers' (workers/). */
export interface ObservabilitySource {
  /** The rolling-window summary of every configured route, with target health. */
  summary(): Admin.MetricsSummary | Promise<Admin.MetricsSummary>;
  trace(requestId: string): RequestTrace.Record | undefined | Promise<RequestTrace.Record | undefined>;
  /** What was spent, by consumer, route or model, per day or month. */
  readonly spend?: Pick<SpendLedger, 'report'>;
  /** The recent requests of the Traffic view (a single gateway process: the primary of gateway.workers has none). */
  traffic?: Pick<TrafficLog, 'bodies' | 'capacity' | 'entries' | 'detail' | 'subscribe'>;
}

/** The response cache's stored answers, as the admin API purges them. */
export interface CacheAdmin {
  /** Removes every stored answer whose key starts with `prefix`; resolves to how many. */
  purge(prefix: string): Promise<number>;
}

/** What the admin API reads of the running gateway: a GatewayRuntime, or the primary of gateway.workers. */
export interface AdminRuntime {
  readonly hasConfig: boolean;
  readonly snapshot: { readonly config: GatewayConfig; readonly version: number };
  readonly logger: Logger;
}

export interface AdminOptions {
  runtime: AdminRuntime;
  /** Absent when the gateway runs a config given in code: changes are then refused. */
  store?: ConfigStore;
  observability?: ObservabilitySource;
  /** The gateway process's AI_GATEWAY_API_KEY; unset turns the admin API off. */
  apiKey?: string;
  /** The response cache's store (`DELETE /routes/{name}/cache`). */
  cache?: CacheAdmin;
}

export interface AdminDeps extends AdminOptions {
  /** The store, or a 409 saying why this gateway's config cannot be changed. */
  writableStore(): ConfigStore;
}

export function adminDeps(options: AdminOptions): AdminDeps {
  return {
    ...options,
    writableStore() {
      if (!options.store) {
        throw new AdminError(
          409,
          'no_config_file',
          'This gateway runs a config given in code, not a file, so a change could not be kept: start it with --config FILE.',
        );
      }
      return options.store;
    },
  };
}
