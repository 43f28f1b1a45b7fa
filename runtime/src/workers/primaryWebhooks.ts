// Webhooks of a gateway with gateway.workers, sent by the primary for all workers: config events once per change
// (the primary owns the config), refusals of every worker counted in one window per type, target health events as
// the workers see them. One dispatcher means one queue per URL and one delivery per event.
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../../common/src/config';
import type { Webhook, Workers } from '../../../common/src/protocol';
import type { RejectedChange } from '../configStore/changes';
import type { GatewayMetrics } from '../observability/metrics';
import { configureWebhooks, reportDelivery } from '../observability/observability';
import { WebhookDispatcher } from '../observability/webhooks/dispatcher';
import { RefusalWindows } from '../observability/webhooks/refusalWindows';

const REFUSAL_WINDOW_MS = 10_000;

export class PrimaryWebhooks {
  private readonly dispatcher: WebhookDispatcher;
  private readonly refusals: RefusalWindows;

  constructor(
    private readonly env: Record<string, string | undefined>,
    private readonly logger: Logger,
    metrics: GatewayMetrics,
  ) {
    this.dispatcher = new WebhookDispatcher({ onReport: (report) => reportDelivery(metrics, logger, report) });
    this.refusals = new RefusalWindows(REFUSAL_WINDOW_MS, (type, data, time) => this.dispatcher.publish(type, data, time));
  }

  follow(config: GatewayConfig): void {
    configureWebhooks(this.dispatcher, config, this.env, this.logger);
  }

  /** As a single gateway process tells it: at start (no source), then for each change (a file's path, or its source). */
  applied(config: GatewayConfig, version: number, source?: string): void {
    this.follow(config);
    this.dispatcher.publish('config.applied', { version, routes: config.routes.length, ...(source ? { source } : {}) });
  }

  rejected(change: RejectedChange, source: string): void {
    const diagnostics = change.diagnostics
      .filter((diagnostic) => diagnostic.severity === 'error')
      .map((diagnostic) => ({
        message: diagnostic.message,
        code: diagnostic.code,
        line: diagnostic.range.start.line + 1,
        character: diagnostic.range.start.character + 1,
      }));
    this.dispatcher.publish('config.rejected', { source, diagnostics });
  }

  /** A worker's event (target health): published as the worker raised it. */
  publish(event: Workers.PrimaryMethods['webhook.publish']['params']): null {
    this.dispatcher.publish(event.type, event.data as Webhook.EventData[Webhook.EventType], new Date(event.time));
    return null;
  }

  refusal(refusal: Workers.PrimaryMethods['webhook.refusal']['params']): null {
    this.refusals.record(refusal.type, refusal.route, refusal.consumer, refusal.reason);
    return null;
  }

  /** Open refusal windows are published, and pending deliveries get `graceMs` to go out. */
  async close(graceMs = 1_000): Promise<void> {
    this.refusals.flushAll();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.dispatcher.idle(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.dispatcher.close();
  }
}
