// Fans gateway events out to the configured `callback:` URLs. `publish` only builds the event and appends it to
// each interested URL's bounded queue, so a request that causes an event is never slowed or failed by delivery.
import { randomUUID } from 'node:crypto';
import type { CallbackConfig } from '../../../../common/src/config';
import type { Webhook } from '../../../../common/src/protocol';
import { DeliveryQueue, type DeliveryReport, type DeliverySettings } from './deliveryQueue';

export interface WebhookOptions {
  queueLimit?: number; // per callback URL
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  onReport?: (report: DeliveryReport) => void;
}

export class WebhookDispatcher {
  private readonly settings: DeliverySettings;
  private queues = new Map<string, DeliveryQueue>();
  private readonly onReport: (report: DeliveryReport) => void;

  constructor(options: WebhookOptions = {}) {
    this.settings = {
      queueLimit: options.queueLimit ?? 1000,
      maxAttempts: options.maxAttempts ?? 6,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      timeoutMs: options.timeoutMs ?? 5_000,
    };
    this.onReport = options.onReport ?? (() => undefined);
  }

  /** Follows the config: queues of URLs still configured keep their pending events; removed URLs are dropped. */
  configure(callbacks: readonly CallbackConfig[], secret: string | undefined): void {
    this.settings.secret = secret;
    const next = new Map<string, DeliveryQueue>();
    for (const callback of callbacks) {
      const events = callback.events ? new Set(callback.events) : undefined;
      const queue = this.queues.get(callback.url) ?? new DeliveryQueue(callback.url, events, this.settings, (report) => this.onReport(report));
      queue.events = events;
      next.set(callback.url, queue);
    }
    for (const [url, queue] of this.queues) if (!next.has(url)) queue.close();
    this.queues = next;
  }

  get hasCallbacks(): boolean {
    return this.queues.size > 0;
  }

  publish<T extends Webhook.EventType>(type: T, data: Webhook.EventData[T], time = new Date()): void {
    if (this.queues.size === 0) return;
    const event: Webhook.Event<T> = { id: randomUUID(), type, time: time.toISOString(), data };
    for (const queue of this.queues.values()) if (queue.wants(type)) queue.enqueue(event);
  }

  /** Resolves once every queue is empty (tests, and a graceful stop that wants pending events out). */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.idle()));
  }

  close(): void {
    for (const queue of this.queues.values()) queue.close();
    this.queues.clear();
  }
}
