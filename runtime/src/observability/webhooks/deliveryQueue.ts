// Delivery to one callback URL: a bounded FIFO and one worker, so events arrive in order (a target's "down" never
// overtakes its "up") and a slow or dead receiver costs memory up to the bound and nothing else. When full, the
// oldest event is dropped: the newest state is what a receiver needs most. Failures retry with exponential
// backoff and jitter (honouring Retry-After up to the cap); 4xx other than 408/429 are not retried.
import { request, type Dispatcher } from 'undici';
import { Webhook } from '../../../../common/src/protocol';
import { signBody } from './signature';

export interface DeliverySettings {
  queueLimit: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  secret?: string;
  dispatcher?: Dispatcher;
}

export type DeliveryOutcome = 'delivered' | 'retried' | 'failed' | 'dropped';

export interface DeliveryReport {
  url: string;
  outcome: DeliveryOutcome;
  event: Webhook.Event;
  attempt: number;
  status?: number;
  error?: string;
}

export class DeliveryQueue {
  private readonly pending: Webhook.Event[] = [];
  private running = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeTimer: (() => void) | undefined;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    readonly url: string,
    public events: ReadonlySet<string> | undefined, // undefined = every event type
    private readonly settings: DeliverySettings,
    private readonly report: (report: DeliveryReport) => void,
  ) {}

  wants(type: string): boolean {
    return this.events === undefined || this.events.has(type);
  }

  enqueue(event: Webhook.Event): void {
    if (this.closed) return;
    this.pending.push(event);
    if (this.pending.length > this.settings.queueLimit) {
      const dropped = this.pending.shift()!;
      this.report({ url: this.url, outcome: 'dropped', event: dropped, attempt: 0 });
    }
    if (!this.running) void this.drain();
  }

  get size(): number {
    return this.pending.length;
  }

  /** Resolves once nothing is queued or being delivered. */
  idle(): Promise<void> {
    if (!this.running && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.pending.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.wakeTimer?.();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (!this.closed && this.pending.length > 0) {
      const event = this.pending.shift()!;
      await this.deliver(event);
    }
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async deliver(event: Webhook.Event): Promise<void> {
    const body = JSON.stringify(event);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'ai-gateway-webhook',
      [Webhook.eventHeader]: event.type,
      [Webhook.deliveryHeader]: event.id,
    };
    if (this.settings.secret) headers[Webhook.signatureHeader] = signBody(body, this.settings.secret);
    for (let attempt = 1; !this.closed; attempt++) {
      const result = await this.post(body, headers);
      if (result.ok) {
        this.report({ url: this.url, outcome: 'delivered', event, attempt, status: result.status });
        return;
      }
      const last = attempt >= this.settings.maxAttempts || !result.retryable;
      this.report({ url: this.url, outcome: last ? 'failed' : 'retried', event, attempt, status: result.status, error: result.error });
      if (last) return;
      await this.wait(this.backoffMs(attempt, result.retryAfterMs));
    }
  }

  private async post(
    body: string,
    headers: Record<string, string>,
  ): Promise<{ ok: boolean; retryable: boolean; status?: number; error?: string; retryAfterMs?: number }> {
    try {
      const response = await request(this.url, {
        method: 'POST',
        body,
        headers,
        headersTimeout: this.settings.timeoutMs,
        bodyTimeout: this.settings.timeoutMs,
        dispatcher: this.settings.dispatcher,
      });
      await response.body.dump().catch(() => undefined);
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { ok: true, retryable: false, status };
      const retryable = status >= 500 || status === 408 || status === 429;
      return { ok: false, retryable, status, error: `HTTP ${status}`, retryAfterMs: retryAfterMs(response.headers['retry-after']) };
    } catch (err) {
      return { ok: false, retryable: true, error: (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err)) };
    }
  }

  private backoffMs(attempt: number, retryAfter: number | undefined): number {
    const { baseDelayMs, maxDelayMs } = this.settings;
    if (retryAfter !== undefined) return Math.min(retryAfter, maxDelayMs);
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2); // "equal jitter": never zero, never in lockstep
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeTimer = resolve;
      this.timer = setTimeout(resolve, ms);
      this.timer.unref(); // a pending retry must not keep the process alive
    });
  }
}

function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
