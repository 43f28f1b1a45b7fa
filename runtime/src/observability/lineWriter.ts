// Where the gateway's JSON log lines go (stdout): the lines logged during one turn of the event loop are written
// together, with one synchronous write when the turn ends. pino's asynchronous destination sent each batch through
// libuv's thread pool (a thread wake-up and a completion callback per write): 10.7% of the main thread's sampled
// time on the access-log bench, against 2.6% for this. Nothing waits for more traffic: a lone line goes out at the
// end of its turn. A stdout nobody reads blocks the write, as pino's default (synchronous) destination does; a
// non-blocking one that is full holds the lines (in order, up to a bound, then counts what it drops) and retries.
import { writeSync } from 'node:fs';

/** How long to wait before retrying when a non-blocking stdout is full (EAGAIN); lines keep queueing meanwhile. */
const RETRY_FULL_MS = 10;
/** What a full non-blocking stdout may hold back: past it, new lines are dropped and counted, not kept. */
const MAX_HELD_BYTES = 16 * 1024 * 1024;

export interface LineWriterOptions {
  /** Bytes (about: pending text counts in characters) held while the descriptor is full; default 16 MB. */
  maxHeldBytes?: number;
}

export class LineWriter {
  /** Lines not yet turned into bytes. */
  private pending = '';
  /** Bytes of an earlier flush the descriptor has not taken yet (it was full): they go out before `pending`. */
  private unsent: Buffer | undefined;
  /** Lines dropped because too much was held; reported by one line of its own once the descriptor takes more. */
  private dropped = 0;
  private scheduled = false;
  /** Set once the reader is gone (EPIPE) or the descriptor failed: lines are dropped from then on, as pino does. */
  private broken = false;
  private readonly maxHeldBytes: number;

  constructor(
    private readonly fd: number,
    options: LineWriterOptions = {},
  ) {
    this.maxHeldBytes = options.maxHeldBytes ?? MAX_HELD_BYTES;
  }

  /** pino's destination interface: one serialized line (with its newline) per call. */
  write(line: string): boolean {
    if (this.broken) return true;
    if ((this.unsent?.length ?? 0) + this.pending.length + line.length > this.maxHeldBytes) {
      this.dropped += 1;
    } else {
      this.pending += line;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushScheduled);
    }
    return true;
  }

  /** Writes what the descriptor takes now (pino calls it on `logger.flush()`; the process calls it on exit). */
  flushSync(): void {
    while (!this.broken) {
      if (!this.unsent) {
        if (this.dropped > 0) {
          this.pending += droppedLine(this.dropped); // after the lines held before the drop, before any after it
          this.dropped = 0;
        }
        if (this.pending.length === 0) return;
        this.unsent = Buffer.from(this.pending);
        this.pending = '';
      }
      try {
        const written = writeSync(this.fd, this.unsent);
        this.unsent = written >= this.unsent.length ? undefined : this.unsent.subarray(written);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') this.broken = true;
        return; // full: what is unsent stays first in line
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
    if ((this.unsent || this.pending.length > 0 || this.dropped > 0) && !this.broken && !this.scheduled) {
      this.scheduled = true;
      setTimeout(this.flushScheduled, RETRY_FULL_MS);
    }
  };
}

/** In the gateway's log format (pino's, level 40 = warn), so that whoever reads the log sees the gap. */
function droppedLine(count: number): string {
  return `{"level":40${isoTimeField()},"dropped":${count},"msg":"log lines dropped: stdout was not taking them"}\n`;
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
