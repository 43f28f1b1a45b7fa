// The last traced requests, by request id, for `GET /api/v1/traces/{requestId}`. Bounded by count (oldest out
// first) so a client tracing in a loop cannot grow memory; only requests that asked for a trace are kept.
import type { RequestTrace } from '../../../common/src/protocol';

export class TraceStore {
  private readonly traces = new Map<string, RequestTrace.Record>();

  constructor(readonly capacity = 500) {}

  add(record: RequestTrace.Record): void {
    this.traces.delete(record.requestId); // a reused client-supplied id moves to the newest position
    this.traces.set(record.requestId, record);
    if (this.traces.size > this.capacity) {
      const oldest = this.traces.keys().next().value;
      if (oldest !== undefined) this.traces.delete(oldest);
    }
  }

  get(requestId: string): RequestTrace.Record | undefined {
    return this.traces.get(requestId);
  }

  get size(): number {
    return this.traces.size;
  }
}

/** The trace as a header value: JSON with non-ASCII escaped (header values must be Latin-1), capped in size. */
export function traceHeaderValue(entries: readonly RequestTrace.Entry[], maxBytes = 8 * 1024): string {
  const kept = [...entries];
  let text = asciiJson(kept);
  while (text.length > maxBytes && kept.length > 0) {
    kept.pop();
    text = asciiJson([...kept, { stage: 'trace', outcome: 'truncated', detail: 'the full trace is at GET /api/v1/traces/{requestId}', atMs: 0 }]);
  }
  return text;
}

function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
