// `gateway.cluster`: wires config convergence (configSync.ts) to this replica's config store. Changes this replica
// makes (admin API, file edit) are published; changes published by others go through the same store as an
// admin change would (validated with this replica's environment, applied, written to its file). Off, with the
// reason logged, when it cannot work or is not wanted: no Redis store, a read-only admin API (a Kubernetes
// ConfigMap is the source of truth), or no config file to keep.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { GatewaySettings } from '../../../common/src/config';
import type { ConfigStore } from '../configStore/configStore';
import { ConfigInvalidError } from '../configStore/errors';
import { CONFIG_NOT_ADOPTED, configHash, startConfigSync, type ConfigPublication, type ConfigSync } from './configSync';

export interface ClusterConfig {
  readonly replicaId: string;
  /** Every config text this replica applied on its own; published unless it is the one just adopted. */
  localChange(text: string): void;
  close(): Promise<void>;
}

export interface ClusterConfigOptions {
  settings: GatewaySettings;
  store: ConfigStore | undefined;
  logger: Logger;
}

export async function startClusterConfig(options: ClusterConfigOptions): Promise<ClusterConfig | undefined> {
  const { settings, store, logger } = options;
  const cluster = settings.cluster;
  if (!cluster?.enabled) return undefined;
  const off = (reason: string): undefined => {
    logger.warn({ reason }, 'cluster config sync off');
    return undefined;
  };
  if (!settings.store.redis) return off('gateway.cluster needs gateway.store.redis to reach the other replicas');
  if (settings.admin.readOnly) return off('the admin API is read-only (gateway.admin.readOnly): the config changes only at its source');
  if (!store) return off('the gateway runs a config given in code, with no file to keep in step');

  const replicaId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  let adoptedHash: string | undefined;
  let publishing = Promise.resolve();
  const sync: ConfigSync = await startConfigSync({
    redis: settings.store.redis,
    keyPrefix: settings.store.redis.keyPrefix,
    channel: cluster.channel,
    replicaId,
    logger,
    currentHash: () => configHash(store.text),
    applyRemote: (text, publication) => adopt(store, text, publication, logger, (hash) => (adoptedHash = hash)),
  });

  return {
    replicaId,
    localChange(text) {
      if (configHash(text) === adoptedHash) return;
      publishing = publishing
        .then(() => sync.publish(text))
        .then(
          () => undefined,
          (err: unknown) =>
            logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cluster config could not be published; other replicas keep their config'),
        );
    },
    async close() {
      await publishing;
      await sync.close();
    },
  };
}

async function adopt(store: ConfigStore, text: string, publication: ConfigPublication, logger: Logger, adopting: (hash: string) => void): Promise<boolean> {
  adopting(publication.hash);
  try {
    await store.replace(text, 'yaml');
    return true;
  } catch (err) {
    // Typically an env var the publishing replica has and this one lacks: this replica keeps its last good config.
    const diagnostics = err instanceof ConfigInvalidError ? err.errors.map((d) => ({ path: d.path.join('.'), code: d.code, message: d.message })) : undefined;
    logger.warn({ ...publication, error: err instanceof Error ? err.message : String(err), diagnostics }, CONFIG_NOT_ADOPTED);
    return false;
  }
}
