// The metrics webview: every second the admin metrics summary goes to the page as a message; the page keeps a
// rolling history and draws request rate, p50/p95/p99 latency, error rate and tokens per route.
import * as vscode from 'vscode';
import type { Admin } from '../../common/src/protocol';
import type { MetricsPoller, MetricsSample } from './metricsPoller';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** Extension -> metrics page. */
export type MetricsPageMessage =
  { type: 'sample'; at: number; summary: Admin.MetricsSummary } | { type: 'stopped' } | { type: 'focus'; route: string | undefined };
/** Metrics page -> extension. */
export type MetricsPageReply = { type: 'ready' };

export class MetricsPanel implements vscode.Disposable {
  static readonly viewType = 'aiGateway.metrics';
  private static current: MetricsPanel | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  static show(extensionUri: vscode.Uri, poller: MetricsPoller, route?: string): MetricsPanel {
    const existing = MetricsPanel.current;
    if (existing) {
      existing.panel.reveal(undefined, true);
      void existing.post({ type: 'focus', route });
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      MetricsPanel.viewType,
      'AI Gateway Metrics',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(extensionUri),
    );
    MetricsPanel.current = new MetricsPanel(panel, extensionUri, poller, route);
    return MetricsPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly poller: MetricsPoller,
    private focusRoute: string | undefined,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'client', 'media', 'gateway.svg');
    panel.webview.html = webviewHtml(panel.webview, extensionUri, {
      title: 'AI Gateway Metrics',
      script: 'metrics.js',
      style: 'metrics.css',
      body: '<header><h1>AI Gateway Metrics</h1><span id="status" role="status">Waiting for the local gateway…</span></header><main id="routes"></main>',
    });
    this.subscriptions.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: MetricsPageReply) => {
        if (message.type === 'ready') this.onReady();
      }),
      poller.onDidSample((sample) => void this.send(sample)),
    );
  }

  private onReady(): void {
    void this.post({ type: 'focus', route: this.focusRoute });
    void this.send(this.poller.latest);
  }

  private send(sample: MetricsSample | undefined): Thenable<boolean> {
    return this.post(sample ? { type: 'sample', at: sample.at, summary: sample.summary } : { type: 'stopped' });
  }

  private post(message: MetricsPageMessage): Thenable<boolean> {
    if (message.type === 'focus') this.focusRoute = message.route;
    return this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (MetricsPanel.current === this) MetricsPanel.current = undefined;
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }
}
