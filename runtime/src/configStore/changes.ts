// What the config store says about each change it was asked to make: where it came from, and whether it now
// runs (`applied`) or was refused with the last good config still running (`rejected`).
import type { Diagnostic, GatewayConfig } from '../../../common/src/config';
import type { Admin } from '../../../common/src/protocol';
import type { RestartOnlyChange } from '../gateway/restartOnlySettings';

/** The three ways a change arrives: a save of the watched file, the admin API, another replica (gateway.cluster). */
export type ChangeSource = 'file' | 'admin-api' | 'cluster';

/** A config another replica published through Redis (cluster/configSync.ts). */
export interface ConfigPublication {
  version: number;
  hash: string; // sha256 of the YAML text
  origin: string; // the publishing replica
}

export interface AppliedChange {
  source: ChangeSource;
  /** The YAML text now running and in the file. */
  text: string;
  config: GatewayConfig;
  /** The runtime's config version after this change. */
  version: number;
  warnings: Diagnostic[];
  /** Restart-only settings this change sets differently from what the process started with (they wait for a restart). */
  restart: RestartOnlyChange[];
  routes: Admin.RouteChanges;
  /** Set when another replica published the change. */
  publication?: ConfigPublication;
}

/** Nothing was applied or written. */
export interface RejectedChange {
  source: ChangeSource;
  error: Error;
  /** The errors, positioned in the text of the change (the file, the request body, the publication). */
  diagnostics: Diagnostic[];
  publication?: ConfigPublication;
}

export interface ConfigStoreEvents {
  applied: AppliedChange;
  rejected: RejectedChange;
}

/** Routes added, changed and removed between two configs, by name. */
export function routeChanges(before: GatewayConfig, after: GatewayConfig): Admin.RouteChanges {
  const old = new Map(before.routes.map((r) => [r.name, JSON.stringify(r)]));
  const now = new Map(after.routes.map((r) => [r.name, JSON.stringify(r)]));
  return {
    added: [...now.keys()].filter((name) => !old.has(name)),
    changed: [...now.keys()].filter((name) => old.has(name) && old.get(name) !== now.get(name)),
    removed: [...old.keys()].filter((name) => !now.has(name)),
  };
}
