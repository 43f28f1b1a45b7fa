// Config convergence across replicas (`gateway.cluster` with a Redis store): a config a replica applies from its
// own file or admin API is published to Redis as one versioned document (the YAML text, `${VAR}` unexpanded, so
// each replica reads its own environment and no secret travels), and announced on a pub/sub channel. Every other
// replica fetches it, validates it with the one config model and applies it, or logs why it cannot and keeps its
// last good config. A replica that starts, or reconnects after missing announcements, catches up from the document.
import type { Logger } from 'pino';
import { ProcessEvents } from '../../../common/src/protocol';
import type { ConfigPublication } from '../configStore/changes';
import { contentHash } from '../configStore/configStore';
import { createRedisClient, describeRedisTarget, type RedisTarget } from '../limits/redisClient';

export interface ConfigSyncOptions {
  redis: RedisTarget;
  keyPrefix: string;
  channel: string;
  replicaId: string;
  logger: Logger;
  /** Validates and applies a config published by another replica (the config store says how it went). */
  applyRemote(text: string, publication: ConfigPublication): Promise<unknown>;
  /** sha256 of the config text this replica runs now. */
  currentHash(): string | undefined;
}

export interface ConfigSync {
  /** Publishes a config this replica applied on its own (file edit, admin API). */
  publish(text: string): Promise<ConfigPublication>;
  close(): Promise<void>;
}

/** How long a starting replica waits for Redis to fetch the cluster's config before serving its own file. */
const STARTUP_WAIT_MS = 2_000;

// Bump the version, store the document and announce it in one step, so versions are never reused or reordered.
const PUBLISH_SCRIPT = `
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'text', ARGV[1], 'hash', ARGV[2], 'origin', ARGV[3])
redis.call('PUBLISH', ARGV[4], cjson.encode({version = version, hash = ARGV[2], origin = ARGV[3]}))
return version`;

export async function startConfigSync(options: ConfigSyncOptions): Promise<ConfigSync> {
  const { logger, replicaId } = options;
  const documentKey = `${options.keyPrefix}config:document`;
  // Commands may wait for a reconnect here: nothing on the request path depends on them.
  const client = createRedisClient(options.redis, { enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: 5_000 });
  const subscriber = createRedisClient(options.redis, { enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
  for (const connection of [client, subscriber]) connection.on('error', () => undefined); // the store logs outages
  let lastVersion = 0;
  let catchingUp = Promise.resolve();
  let closed = false;

  /** Applies the stored document if it is newer than what this replica has seen and is not what it runs. */
  const catchUp = async (): Promise<void> => {
    const document = await client.hgetall(documentKey);
    const version = Number(document.version ?? 0);
    if (!document.text || version <= lastVersion) return;
    lastVersion = version;
    const publication: ConfigPublication = { version, hash: document.hash ?? contentHash(document.text), origin: document.origin ?? 'unknown' };
    if (publication.origin === replicaId || publication.hash === options.currentHash()) return;
    await options.applyRemote(document.text, publication);
  };
  const scheduleCatchUp = (): void => {
    catchingUp = catchingUp.then(catchUp).catch((err: unknown) => {
      if (closed) return;
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cluster config could not be fetched');
    });
  };

  subscriber.on('message', (channel: string) => {
    if (channel === options.channel) scheduleCatchUp();
  });
  // Announcements made while this replica was disconnected are lost; the document is not.
  subscriber.on('ready', scheduleCatchUp);
  const joined = subscriber.subscribe(options.channel).then(() => {
    scheduleCatchUp();
    return catchingUp;
  });
  // Start with the cluster's config when Redis answers soon; never keep the gateway from starting without it.
  const settled = await Promise.race([
    joined.then(
      () => true,
      () => false,
    ),
    delay(STARTUP_WAIT_MS, false),
  ]);
  logger[settled ? 'info' : 'warn'](
    { store: describeRedisTarget(options.redis), channel: options.channel, replicaId },
    settled ? 'cluster config sync on' : 'cluster config sync waiting for Redis',
  );

  return {
    async publish(text) {
      const hash = contentHash(text);
      const version = Number(await client.eval(PUBLISH_SCRIPT, 1, documentKey, text, hash, replicaId, options.channel));
      lastVersion = Math.max(lastVersion, version);
      const publication = { version, hash, origin: replicaId };
      logger.info(publication, ProcessEvents.clusterConfigPublished);
      return publication;
    },
    async close() {
      // Nothing is left to write (publish awaits its reply), so the connections can simply be dropped.
      closed = true;
      subscriber.disconnect();
      client.disconnect();
      await catchingUp;
    },
  };
}

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, ms, value).unref());
}
