// What a request looked like on the wire, kept while it runs for whoever looks afterwards (the Traffic view, the
// fixture recorder, the span's GenAI attributes): the request body when it was buffered, the answer's status and
// headers, and its chunks with their arrival times. Bounded: past `maxBytes` only the byte count goes on.
import type { IncomingHttpHeaders } from 'node:http';
import type { UsageTap } from '../gateway/upstream/usageTap';

export interface CapturedChunk {
  /** Milliseconds since the request arrived. */
  atMs: number;
  data: Buffer;
}

export class RequestCapture {
  /** The body as sent upstream, when the gateway held it whole (see `wantsRequestBody`). */
  requestBody: Buffer | undefined;
  status: number | undefined;
  headers: IncomingHttpHeaders | undefined;
  readonly chunks: CapturedChunk[] = [];
  /** Answer body bytes relayed, kept or not. */
  bytes = 0;
  truncated = false;

  constructor(
    private readonly receivedAt: number,
    readonly maxBytes: number,
    /** The proxy buffers a request body that fits its replay limit, so it can be kept. */
    readonly wantsRequestBody: boolean,
  ) {}

  /** The upstream answered: its chunks come through the returned tap, which also feeds the usage tap if any. */
  answer(status: number, headers: IncomingHttpHeaders, usage: UsageTap | undefined): UsageTap {
    this.status = status;
    this.headers = headers;
    return {
      push: (chunk) => {
        this.push(chunk);
        usage?.push(chunk);
      },
      result: () => usage?.result(),
      model: () => usage?.model(),
    };
  }

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) this.truncated = true;
    else this.chunks.push({ atMs: performance.now() - this.receivedAt, data: chunk });
  }

  /** The kept answer body, in one buffer. */
  body(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]!.data : Buffer.concat(this.chunks.map((chunk) => chunk.data));
  }

  get contentType(): string | undefined {
    return this.headers?.['content-type'];
  }
}
