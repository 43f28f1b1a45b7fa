// Polls the admin metrics API while the gateway runs and hands every summary to the status bar, the CodeLens,
// the routes view and the metrics panel: one poll, several readers.
import * as vscode from 'vscode';
import type { Admin } from '../../common/src/protocol';
import type { AIGateway } from '../../sdk/src';
import type { GatewayProcess, GatewayState } from './gatewayProcess';

export interface MetricsSample {
  at: number; // Date.now()
  summary: Admin.MetricsSummary;
}

/** A poll waits at most two intervals (and this long at least) so a stalled gateway delays samples, not piles them. */
const minTimeoutMs = 2_000;

export class MetricsPoller implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private client: AIGateway | undefined;
  private inFlight: AbortController | undefined;
  private lastError: string | undefined;
  private readonly emitter = new vscode.EventEmitter<MetricsSample | undefined>();
  /** A new sample, or `undefined` when the gateway stopped. */
  readonly onDidSample = this.emitter.event;
  latest: MetricsSample | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly gateway: GatewayProcess,
    private readonly log: vscode.LogOutputChannel,
    private readonly intervalMs: () => number,
  ) {
    this.subscription = gateway.onDidChangeState((state) => this.follow(state));
  }

  private follow(state: GatewayState): void {
    this.halt();
    if (state.kind !== 'running') {
      this.latest = undefined;
      this.emitter.fire(undefined);
      return;
    }
    this.client = this.gateway.adminClient({ retries: 0 }); // the next tick is the retry
    void this.poll();
  }

  /** Polls now (e.g. right after a test request) instead of waiting for the next tick. */
  async poll(): Promise<void> {
    const client = this.client;
    if (!client) return;
    clearTimeout(this.timer);
    this.inFlight?.abort();
    const controller = new AbortController();
    this.inFlight = controller;
    try {
      const summary = await client.metrics({}, { signal: controller.signal, timeoutMs: Math.max(minTimeoutMs, 2 * this.intervalMs()) });
      this.lastError = undefined;
      this.latest = { at: Date.now(), summary };
      this.emitter.fire(this.latest);
    } catch (err) {
      if (controller.signal.aborted) return;
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError) this.log.warn(`Metrics are not available: ${message}`); // once, not every second
      this.lastError = message;
    }
    if (this.client === client && !controller.signal.aborted) {
      this.timer = setTimeout(() => void this.poll(), this.intervalMs());
    }
  }

  private halt(): void {
    clearTimeout(this.timer);
    this.inFlight?.abort();
    this.client = undefined;
  }

  dispose(): void {
    this.halt();
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
