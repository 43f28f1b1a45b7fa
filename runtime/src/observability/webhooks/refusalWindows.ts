// Aggregates refusals (auth failures, rate-limit rejections, guardrail blocks) into one webhook event per window: a credential
// stuffing run or a client hammering its limit yields one event with counts, not one per request. The first
// refusal opens a window; when it ends the counts are published and the next refusal opens a new one.
import type { Webhook } from '../../../../common/src/protocol';

export type RefusalType = 'auth.failed' | 'ratelimit.exceeded' | 'guardrail.blocked';

interface OpenWindow {
  startedAt: Date;
  count: number;
  routes: Record<string, number>;
  consumers: Record<string, number>;
  reasons: Record<string, number>; // auth kinds, limit names or guardrails
  timer: NodeJS.Timeout;
}

export class RefusalWindows {
  private readonly open = new Map<RefusalType, OpenWindow>();

  constructor(
    private readonly windowMs: number,
    private readonly publish: <T extends RefusalType>(type: T, data: Webhook.EventData[T], time: Date) => void,
  ) {}

  record(type: RefusalType, route: string, consumer: string, reason: string): void {
    let window = this.open.get(type);
    if (!window) {
      const timer = setTimeout(() => this.flush(type), this.windowMs);
      timer.unref();
      window = { startedAt: new Date(), count: 0, routes: {}, consumers: {}, reasons: {}, timer };
      this.open.set(type, window);
    }
    window.count += 1;
    bump(window.routes, route);
    bump(window.consumers, consumer);
    bump(window.reasons, reason);
  }

  /** Publishes open windows now (on close, so counts are not lost). */
  flushAll(): void {
    for (const type of [...this.open.keys()]) this.flush(type);
  }

  private flush(type: RefusalType): void {
    const window = this.open.get(type);
    if (!window) return;
    this.open.delete(type);
    clearTimeout(window.timer);
    const end = new Date();
    const base = {
      windowStart: window.startedAt.toISOString(),
      windowEnd: end.toISOString(),
      count: window.count,
      routes: window.routes,
      consumers: window.consumers,
    };
    if (type === 'auth.failed') this.publish('auth.failed', { ...base, kinds: window.reasons }, end);
    else if (type === 'guardrail.blocked') this.publish('guardrail.blocked', { ...base, guardrails: window.reasons }, end);
    else this.publish('ratelimit.exceeded', { ...base, limits: window.reasons }, end);
  }
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
