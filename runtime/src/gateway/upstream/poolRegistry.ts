// Keep-alive connection pools, one per upstream origin and connection settings, shared by every route that
// targets it and carried across config applies (a reload must not drop warm connections). Reference-counted:
// a pool closes gracefully (in-flight requests finish) once no config snapshot uses it.
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

export interface PoolSettings {
  origin: string;
  connectTimeoutMs: number;
  maxConnections: number;
  caFile?: string;
}

interface PoolEntry {
  pool: Pool;
  references: number;
}

export class PoolRegistry {
  private readonly pools = new Map<string, PoolEntry>();

  acquire(settings: PoolSettings): Pool {
    const key = poolKey(settings);
    let entry = this.pools.get(key);
    if (!entry) {
      entry = { pool: createPool(settings), references: 0 };
      this.pools.set(key, entry);
    }
    entry.references += 1;
    return entry.pool;
  }

  release(settings: PoolSettings): void {
    const key = poolKey(settings);
    const entry = this.pools.get(key);
    if (!entry) return;
    entry.references -= 1;
    if (entry.references <= 0) {
      this.pools.delete(key);
      entry.pool.close().catch(() => entry.pool.destroy().catch(() => undefined));
    }
  }

  async closeAll(): Promise<void> {
    const entries = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(entries.map((entry) => entry.pool.close().catch(() => entry.pool.destroy())));
  }
}

function poolKey(settings: PoolSettings): string {
  return `${settings.origin}|${settings.connectTimeoutMs}|${settings.maxConnections}|${settings.caFile ?? ''}`;
}

function createPool(settings: PoolSettings): Pool {
  return new Pool(settings.origin, {
    connections: settings.maxConnections > 0 ? settings.maxConnections : null,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveTimeoutThreshold: 1_000,
    connect: {
      timeout: settings.connectTimeoutMs,
      ...(settings.caFile ? { ca: readFileSync(settings.caFile) } : {}),
    },
  });
}
