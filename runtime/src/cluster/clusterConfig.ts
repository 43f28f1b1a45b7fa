// `gateway.cluster`: wires config convergence (configSync.ts) to this replica's config store. Every change the
// store applies from this replica (a file save, the admin API) is published, in the order it was applied; a change
// published by another replica goes through the same store as any other (validated with this replica's
// environment, applied, written to its file) and is not sent back. Off, with the reason logged, when it cannot
// work or is not wanted: no Redis store, a read-only admin API (a Kubernetes ConfigMap is the source of truth),
// or no config file to keep.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { GatewaySettings } from '../../../common/src/config';
import type { ConfigStore } from '../configStore/configStore';
import { startConfigSync } from './configSync';

export interface ClusterConfig {
  readonly replicaId: string;
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
  const syncing = startConfigSync({
    redis: settings.store.redis,
    keyPrefix: settings.store.redis.keyPrefix,
    channel: cluster.channel,
    replicaId,
    logger,
    currentHash: () => store.hash,
    applyRemote: (text, publication) => store.adoptPublished(text, publication),
  });
  // Listening before the sync is up: a change made while it connects is published once it is.
  let publishing = Promise.resolve();
  const stopPublishing = store.events.on('applied', (change) => {
    if (change.source === 'cluster') return;
    publishing = publishing
      .then(async () => void (await (await syncing).publish(change.text)))
      .catch((err: unknown) =>
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cluster config could not be published; other replicas keep their config'),
      );
  });
  const sync = await syncing.catch((err: unknown) => {
    stopPublishing();
    throw err;
  });
  return {
    replicaId,
    async close() {
      stopPublishing();
      await publishing;
      await sync.close();
    },
  };
}
