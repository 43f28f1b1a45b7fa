// Where the gateway's JSON log lines go (stdout): the lines logged during one turn of the event loop are written
// together, with one synchronous write when the turn ends. pino's asynchronous destination sent each batch through
// libuv's thread pool (a thread wake-up and a completion callback per write): 10.7% of the main thread's sampled
// time on the access-log bench, against 2.6% for this. Nothing waits for more traffic: a lone line goes out at the
// end of its turn. A stdout nobody reads blocks the write, as pino's default (synchronous) destination does.
import { writeSync } from 'node:fs';

/** How long to wait before retrying when a non-blocking stdout is full (EAGAIN); lines keep queueing meanwhile. */
const RETRY_FULL_MS = 10;

export class LineWriter {
  private pending = '';
  private scheduled = false;
  /** Set once the reader is gone (EPIPE) or the descriptor failed: lines are dropped from then on, as pino does. */
  private broken = false;

  constructor(private readonly fd: number) {}

  /** pino's destination interface: one serialized line (with its newline) per call. */
  write(line: string): boolean {
    if (this.broken) return true;
    this.pending += line;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushScheduled);
    }
    return true;
  }

  /** Writes what is pending now (pino calls it on `logger.flush()`; the process calls it on exit). */
  flushSync(): void {
    while (this.pending.length > 0 && !this.broken) {
      const data = Buffer.from(this.pending);
      this.pending = '';
      let written = 0;
      try {
        while (written < data.length) written += writeSync(this.fd, data, written);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') {
          this.broken = true;
          return;
        }
        this.pending = data.subarray(written).toString() + this.pending; // full: keep the rest, in order
        return;
      }
    }
  }

  flush(callback?: (err?: Error) => void): void {
    this.flushSync();
    callback?.();
  }

  private readonly flushScheduled = (): void => {
    this.scheduled = false;
    this.flushSync();
    if (this.pending.length > 0 && !this.broken && !this.scheduled) {
      this.scheduled = true;
      setTimeout(this.flushScheduled, RETRY_FULL_MS);
    }
  };
}

let stdoutWriter: LineWriter | undefined;

/** One writer for the process's stdout, flushed when the process exits (however many gateways it starts). */
export function stdoutLines(): LineWriter {
  if (!stdoutWriter) {
    const writer = new LineWriter(1);
    process.on('exit', () => writer.flushSync());
    stdoutWriter = writer;
  }
  return stdoutWriter;
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * pino's `isoTime` (`,"time":"2025-01-02T03:04:05.678Z"`) without a Date and `toISOString` per line: the text up to
 * the second is built once a second, the milliseconds are appended.
 */
export function isoTimeField(): string {
  const now = Date.now();
  const ms = now % 1000;
  const second = now - ms;
  if (second !== cachedSecond || ms < 0) {
    if (ms < 0) return `,"time":"${new Date(now).toISOString()}"`; // before 1970: not worth caching
    const iso = new Date(second).toISOString();
    cachedPrefix = `,"time":"${iso.slice(0, iso.lastIndexOf('.') + 1)}`;
    cachedSecond = second;
  }
  return `${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}
