// Parsers for the short forms the YAML accepts: durations ("30s"), rates ("100/min"), sizes ("10mb"), addresses.
import type { Rate } from './types';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const RATE_WINDOWS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
};
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Milliseconds from a number (already ms) or "500ms" / "30s" / "5m" / "1h"; undefined when malformed. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(value);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (DURATION_UNITS[m[2] as string] ?? 1));
}

/** A rate from 100 (per minute, the short form) or "100/min", "10/s", "5000/hour", "1000/day". */
export function parseRate(value: unknown): Rate | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value > 0 ? { limit: value, windowMs: 60_000, source: `${value}/min` } : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+)\s*\/\s*([a-z]+)\s*$/.exec(value);
  if (!m) return undefined;
  const windowMs = RATE_WINDOWS[m[2] as string];
  const limit = Number(m[1]);
  if (windowMs === undefined || limit < 1) return undefined;
  return { limit, windowMs, source: value.trim() };
}

export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)\s*$/i.exec(value);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (SIZE_UNITS[(m[2] as string).toLowerCase()] ?? 1));
}

/** "127.0.0.1:8080", ":8080", "[::1]:8080" or 8080 -> host and port; undefined when malformed. */
export function parseListen(value: unknown, defaultHost = '127.0.0.1'): { host: string; port: number } | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 65535 ? { host: defaultHost, port: value } : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]*):(\d{1,5})$/.exec(value.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  const host = (m[1] as string).replace(/^\[|\]$/g, '');
  return { host: host === '' ? defaultHost : host, port };
}
