// The gateway's recent requests for the Traffic view: a ring buffer in memory (never written anywhere), streamed to
// subscribers as each request ends. It starts recording when the process keeps bodies (the editor's local gateway),
// when a fixture recorder is attached, or at the first subscriber; until then it costs a request nothing.
import type { Traffic } from '../../../common/src/protocol';
import type { GatewayContext } from '../gateway/context';
import { exchangeDetail, keepExchange, trafficEntry, type KeptExchange } from './trafficRecord';

export interface TrafficOptions {
  /** Keep request and answer bodies (ProcessEnv.trafficBodies): only for the editor's local gateway. */
  bodies?: boolean;
  /** Bytes of each body kept for the view (default 64 KiB). */
  maxBodyBytes?: number;
  /** Requests kept (default 200). */
  capacity?: number;
}

/** Told of every finished exchange with its full capture (the fixture recorder). */
export type ExchangeListener = (ctx: GatewayContext, entry: Traffic.Entry) => void;

/** What a recorder needs of a response: the whole answer, up to this many bytes. */
const RECORDING_CAPTURE_BYTES = 64 * 1024 * 1024;

export class TrafficLog {
  readonly bodies: boolean;
  readonly capacity: number;
  private readonly maxBodyBytes: number;
  private readonly ring: (KeptExchange | undefined)[];
  private readonly byId = new Map<string, KeptExchange>();
  private next = 0;
  private seq = 0;
  private recording: boolean;
  private readonly subscribers = new Map<(entry: Traffic.Entry) => void, () => void>();
  private readonly exchangeListeners: ExchangeListener[] = [];

  constructor(options: TrafficOptions = {}) {
    this.bodies = options.bodies === true;
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
    this.capacity = options.capacity ?? 200;
    this.ring = new Array<KeptExchange | undefined>(this.capacity);
    this.recording = this.bodies;
  }

  /** Whether requests are recorded: one property read on the request path. */
  get active(): boolean {
    return this.recording;
  }

  /** How many answer bytes a request's capture keeps (0: none needed for traffic). */
  get captureBytes(): number {
    if (this.exchangeListeners.length > 0) return RECORDING_CAPTURE_BYTES;
    return this.bodies ? this.maxBodyBytes : 0;
  }

  /** Request bodies are held whole (up to the replay limit) so they can be shown or recorded. */
  get wantsRequestBodies(): boolean {
    return this.bodies || this.exchangeListeners.length > 0;
  }

  /** A listener that needs every exchange's full capture (recording fixtures): turns recording on. */
  onExchange(listener: ExchangeListener): void {
    this.exchangeListeners.push(listener);
    this.recording = true;
  }

  /** Called once per finished request while active. */
  record(ctx: GatewayContext, route: string | undefined, status: number, durationMs: number): void {
    const bodies = this.bodies && ctx.state.capture !== undefined;
    const entry = trafficEntry(ctx, ++this.seq, route, status, durationMs, bodies);
    for (const listener of this.exchangeListeners) listener(ctx, entry);
    const kept = keepExchange(ctx, entry, bodies ? this.maxBodyBytes : 0);
    const evicted = this.ring[this.next];
    if (evicted && this.byId.get(evicted.entry.requestId) === evicted) this.byId.delete(evicted.entry.requestId);
    this.ring[this.next] = kept;
    this.next = (this.next + 1) % this.capacity;
    this.byId.set(entry.requestId, kept);
    for (const subscriber of this.subscribers.keys()) subscriber(entry);
  }

  /** The kept requests, oldest first. */
  entries(): Traffic.Entry[] {
    const entries: Traffic.Entry[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const kept = this.ring[(this.next + i) % this.capacity];
      if (kept) entries.push(kept.entry);
    }
    return entries;
  }

  detail(requestId: string): Traffic.Detail | undefined {
    const kept = this.byId.get(requestId);
    return kept && exchangeDetail(kept);
  }

  /**
   * Every request from now on, until the returned function is called; turns recording on for good. `onClose` is
   * called if the gateway closes first (so an open stream ends and does not hold the shutdown up).
   */
  subscribe(listener: (entry: Traffic.Entry) => void, onClose: () => void): () => void {
    this.recording = true;
    this.subscribers.set(listener, onClose);
    return () => this.subscribers.delete(listener);
  }

  /** Ends every subscription. */
  close(): void {
    const closers = [...this.subscribers.values()];
    this.subscribers.clear();
    for (const onClose of closers) onClose();
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}
