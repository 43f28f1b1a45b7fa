// An incremental Server-Sent Events reader: fed bytes in any split, it hands over each event once its blank line
// arrives. Linear in the input (each byte is scanned once), holding at most one incomplete event. Lines end in \n or
// \r\n (every provider's streams do; a lone \r is not a line end here). SseTranslator is the base of the translators
// that read SSE: each upstream event is handed to `event` once whole, nothing after the stream's end or failure.
import type { StreamTranslator } from './types';

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** An upstream event larger than this is refused rather than buffered without bound. */
export const MAX_SSE_EVENT_BYTES = 16 * 1024 * 1024;

export class SseReader {
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';
  private scanned = 0;
  private eventName: string | undefined;
  private data: string[] = [];
  private eventSize = 0;

  /** The events completed by this chunk, in order. */
  push(chunk: Uint8Array): SseEvent[] {
    this.pending += this.decoder.decode(chunk, { stream: true });
    return this.drain();
  }

  /** The stream ended: events completed by the last bytes; an event without its blank line is dropped (as the SSE
   * specification says), and `incomplete` tells whether one was. */
  end(): SseEvent[] {
    this.pending += this.decoder.decode();
    const events = this.drain();
    this.incomplete = this.pending !== '' || this.data.length > 0 || this.eventName !== undefined;
    return events;
  }

  incomplete = false;

  private drain(): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    let newline = this.pending.indexOf('\n', this.scanned);
    while (newline >= 0) {
      const end = newline > start && this.pending.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      const event = this.line(this.pending.slice(start, end));
      if (event) events.push(event);
      start = newline + 1;
      newline = this.pending.indexOf('\n', start);
    }
    this.pending = this.pending.slice(start);
    this.scanned = this.pending.length;
    if (this.eventSize + this.pending.length > MAX_SSE_EVENT_BYTES) throw new Error(`an upstream event exceeded ${MAX_SSE_EVENT_BYTES} bytes`);
    return events;
  }

  private line(text: string): SseEvent | undefined {
    if (text === '') {
      if (this.data.length === 0 && this.eventName === undefined) return undefined;
      const event = { event: this.eventName, data: this.data.join('\n') };
      this.eventName = undefined;
      this.data = [];
      this.eventSize = 0;
      return event;
    }
    if (text.charCodeAt(0) === 58) return undefined; // ":" starts a comment
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') {
      this.data.push(value);
      this.eventSize += value.length;
    } else if (field === 'event') {
      this.eventName = value;
    }
    return undefined;
  }
}

export function sseData(payload: object | string, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
}

export abstract class SseTranslator implements StreamTranslator {
  private readonly reader = new SseReader();
  complete = false;
  failed = false;

  constructor(private readonly upstream: string) {}

  push(chunk: Uint8Array): string {
    return this.read(() => this.reader.push(chunk));
  }

  end(): string {
    return this.read(() => this.reader.end());
  }

  /** One whole upstream event, translated. */
  protected abstract event(event: SseEvent): string;

  /** Marks the stream failed and says so to the client in its format. */
  protected abstract fail(status: number, message: string, code?: string | null): string;

  private read(events: () => SseEvent[]): string {
    let out = '';
    try {
      for (const event of events()) if (!this.complete && !this.failed) out += this.event(event);
    } catch (err) {
      out += this.fail(502, `the ${this.upstream} stream could not be read: ${(err as Error).message}`, 'upstream_invalid_response');
    }
    return out;
  }
}
