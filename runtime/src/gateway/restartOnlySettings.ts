// Settings the gateway reads once, when it starts (its sockets, the rate-limit store, cluster sync): a config that
// changes them is applied for everything else, and says, in its warnings and in the log, that they wait for a restart.
import { rangeAt, type Diagnostic, type GatewaySettings } from '../../../common/src/config';
import type { Document, LineCounter } from 'yaml';

export interface RestartOnlyChange {
  /** The key as the user writes it, e.g. `gateway.listen`. */
  setting: string;
  path: string[];
  /** The running and the configured value, where showing them gives nothing away (an address, a size). */
  running?: string;
  configured?: string;
}

const address = (a: { host: string; port: number } | undefined): string => (a ? `${a.host}:${a.port}` : 'the gateway port');

/** What each restart-only setting is, as something to compare; `shown` when the value may be printed. */
const RESTART_ONLY: { setting: string; value: (s: GatewaySettings) => string; shown: boolean }[] = [
  { setting: 'gateway.listen', value: (s) => address(s), shown: true },
  { setting: 'gateway.tls', value: (s) => (s.tls ? 'https' : 'http'), shown: true },
  { setting: 'gateway.limits.maxHeaderSize', value: (s) => `${s.limits.maxHeaderBytes} bytes`, shown: true },
  { setting: 'gateway.admin.listen', value: (s) => address(s.admin.listen), shown: true },
  { setting: 'gateway.admin.readOnly', value: (s) => String(s.admin.readOnly), shown: true },
  // The store's URL may carry a password: say that it changed, not what to.
  { setting: 'gateway.store', value: (s) => JSON.stringify(s.store), shown: false },
  { setting: 'gateway.cluster', value: (s) => JSON.stringify(s.cluster ?? null), shown: true },
  { setting: 'gateway.workers', value: (s) => String(s.workers), shown: true },
  { setting: 'gateway.cache.maxMemory', value: (s) => `${s.cache.maxMemoryBytes} bytes`, shown: true },
];

/** The restart-only settings `configured` sets differently from what the gateway started with. */
export function restartOnlyChanges(running: GatewaySettings, configured: GatewaySettings): RestartOnlyChange[] {
  return RESTART_ONLY.flatMap(({ setting, value, shown }) => {
    const [was, now] = [value(running), value(configured)];
    if (was === now) return [];
    return [{ setting, path: setting.split('.'), ...(shown && setting !== 'gateway.cluster' ? { running: was, configured: now } : {}) }];
  });
}

export function restartMessage(change: RestartOnlyChange): string {
  const values = change.running !== undefined ? ` (${change.running} -> ${change.configured})` : '';
  return `${change.setting} changed${values}: the gateway keeps what it started with until it is restarted.`;
}

/** The warning for a change, on its key in the text that was applied. */
export function restartWarning(change: RestartOnlyChange, parsed: { document: Document.Parsed; lineCounter: LineCounter }): Diagnostic {
  return { range: rangeAt(parsed, change.path, true), severity: 'warning', code: 'config.restartRequired', message: restartMessage(change), path: change.path };
}
