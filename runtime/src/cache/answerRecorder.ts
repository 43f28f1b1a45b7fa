// Keeps a copy of the answer while a missed request is answered, chunk by chunk. By default that is what the client is
// sent, whatever wrote it (the proxy's relay, a provider's translation): it wraps the response's writeHead, write and
// end for this one response. On a route whose answers the guardrails check, the body is instead the answer as it
// entered them (`fromGuardInput`: redaction and put-back are per request, and run again on every hit), and an answer
// they refused is not kept (`discard`). It stops copying past the size limit.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { answerKindOf, type CachedAnswer } from './cachedAnswer';

export class AnswerRecorder {
  private readonly chunks: Buffer[] = [];
  private readonly gapsMs: number[] = [];
  private size = 0;
  private overflowed = false;
  private discarded = false;
  /** The body comes from `guardInput`, not from what the response writes. */
  private guarded = false;
  private last = performance.now();
  status = 0;
  contentType = '';
  contentEncoding: string | undefined;
  /** The upstream said not to store it (`Cache-Control: no-store` or `private` on the answer). */
  refusedByUpstream = false;

  constructor(private readonly maxBytes: number) {}

  /** Past `maxEntrySize`: nothing is kept. */
  get tooLarge(): boolean {
    return this.overflowed;
  }

  install(res: ServerResponse): void {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the response as `this`
    const { writeHead, write, end } = res;
    const onHead = (status: number, rest: unknown[], target: ServerResponse): void =>
      this.head(status, rest.find((arg) => arg !== null && typeof arg === 'object') as OutgoingHttpHeaders | undefined, target);
    const onChunk = (chunk: unknown, encoding: unknown): void => {
      if (!this.guarded) this.chunk(chunk, encoding);
    };
    res.writeHead = function writeHeadRecorded(this: ServerResponse, status: number, ...rest: unknown[]) {
      onHead(status, rest, this);
      return (writeHead as (...args: unknown[]) => ServerResponse).call(this, status, ...rest);
    };
    res.write = function writeRecorded(this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      onChunk(chunk, rest[0]);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as ServerResponse['write'];
    res.end = function endRecorded(this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      if (typeof chunk !== 'function') onChunk(chunk, rest[0]);
      return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
    } as ServerResponse['end'];
  }

  /** From now on the body kept is what `guardInput` is given: the answer before the route's answer guardrails. */
  fromGuardInput(): void {
    this.guarded = true;
  }

  /** A piece of the answer as it entered the answer guardrails. */
  guardInput(chunk: Buffer): void {
    this.chunk(chunk, undefined);
  }

  /** The answer guardrails refused it: nothing is stored. */
  discard(): void {
    this.discarded = true;
    this.chunks.length = 0;
  }

  /** The recorded answer, when one was recorded whole (the caller checks that it was complete and 2xx). */
  answer(): CachedAnswer | undefined {
    if (this.overflowed || this.discarded || this.refusedByUpstream || this.status === 0) return undefined;
    const kind = answerKindOf(this.contentType);
    return {
      status: this.status,
      contentType: this.contentType,
      ...(this.contentEncoding ? { contentEncoding: this.contentEncoding } : {}),
      kind,
      chunks: this.chunks,
      gapsMs: kind === 'sse' ? this.gapsMs : [],
      storedAt: Date.now(),
    };
  }

  private head(status: number, headers: OutgoingHttpHeaders | undefined, res: ServerResponse): void {
    this.status = status;
    const read = (name: string): string | undefined => {
      const value = headers?.[name] ?? res.getHeader(name);
      return value === undefined ? undefined : String(Array.isArray(value) ? value.join(', ') : value);
    };
    this.contentType = read('content-type') ?? '';
    this.contentEncoding = read('content-encoding');
    if (/\b(no-store|private)\b/i.test(read('cache-control') ?? '')) this.refusedByUpstream = true;
    this.last = performance.now();
  }

  private chunk(chunk: unknown, encoding: unknown): void {
    if (this.overflowed || this.discarded || chunk === undefined || chunk === null) return;
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk)
          : undefined;
    if (!bytes || bytes.length === 0) return;
    this.size += bytes.length;
    if (this.size > this.maxBytes) {
      this.overflowed = true;
      this.chunks.length = 0;
      return;
    }
    const now = performance.now();
    this.gapsMs.push(Math.round(now - this.last));
    this.last = now;
    this.chunks.push(bytes);
  }
}
