// gateway.mockUnreachableTargets (or AI_GATEWAY_MOCK_UNREACHABLE_TARGETS): which target URLs this machine cannot
// reach, checked once when a config is applied: the host does not resolve, or nothing accepts a TCP connection.
import { lookup } from 'node:dns/promises';
import * as net from 'node:net';

export interface UnreachableTarget {
  url: string;
  /** Why, for the log line: "host does not resolve (ENOTFOUND)", "connection refused (ECONNREFUSED)", ... */
  reason: string;
}

/** How long a connect may take before the target counts as unreachable (a firewall that drops packets). */
const CONNECT_TIMEOUT_MS = 1_500;

/** The env override: "1"/"true" turns it on, "0"/"false" off, anything else (or unset) leaves the config's choice. */
export function mockUnreachableOverride(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^(1|true|yes|on)$/i.test(value.trim())) return true;
  if (/^(0|false|no|off)$/i.test(value.trim())) return false;
  return undefined;
}

export async function unreachableTargets(urls: string[], connectTimeoutMs = CONNECT_TIMEOUT_MS): Promise<UnreachableTarget[]> {
  const results = await Promise.all(
    urls.map(async (url) => {
      const reason = await unreachableReason(new URL(url), connectTimeoutMs);
      return reason === undefined ? undefined : { url, reason };
    }),
  );
  return results.filter((r): r is UnreachableTarget => r !== undefined);
}

async function unreachableReason(url: URL, connectTimeoutMs: number): Promise<string | undefined> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let address: string;
  try {
    address = (await lookup(host)).address;
  } catch (err) {
    return `host does not resolve (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (reason: string | undefined): void => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(connectTimeoutMs, () => done(`no connection within ${connectTimeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(`cannot connect to ${address}:${port} (${err.code ?? err.message})`));
  });
}
