// The status bar item: gateway state, port and live request rate; a click offers stop, restart and metrics.
import * as vscode from 'vscode';
import type { GatewayProcess, GatewayState } from './gatewayProcess';
import type { MetricsPoller, MetricsSample } from './metricsPoller';

export function formatRate(perSecond: number): string {
  return perSecond >= 10 ? `${Math.round(perSecond)} req/s` : `${perSecond.toFixed(1)} req/s`;
}

export class GatewayStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('aiGateway.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(gateway: GatewayProcess, poller: MetricsPoller) {
    this.item.name = 'AI Gateway';
    this.item.command = 'aiGateway.statusMenu';
    this.subscriptions.push(
      gateway.onDidChangeState((state) => this.render(state, undefined)),
      poller.onDidSample((sample) => this.render(gateway.state, sample)),
    );
    this.render(gateway.state, undefined);
  }

  private render(state: GatewayState, sample: MetricsSample | undefined): void {
    this.item.backgroundColor = undefined;
    switch (state.kind) {
      case 'stopped':
        this.item.text = '$(circle-slash) AI Gateway';
        this.item.tooltip = 'The local gateway is stopped. Click to start it.';
        break;
      case 'starting':
        this.item.text = '$(loading~spin) AI Gateway';
        this.item.tooltip = `Starting on ${state.configPath}`;
        break;
      case 'running': {
        const port = new URL(state.url).port;
        const rate = sample ? sample.summary.routes.reduce((sum, r) => sum + r.rate, 0) : 0;
        this.item.text = `$(radio-tower) AI Gateway :${port} · ${formatRate(rate)}`;
        this.item.tooltip = new vscode.MarkdownString(
          `**Local gateway running** at ${state.url}\n\nConfig: \`${state.configPath}\`\n\nClick for stop, restart and metrics.`,
        );
        break;
      }
      case 'crashed':
        this.item.text = '$(error) AI Gateway';
        this.item.tooltip = `${state.message}${state.restartInMs ? ` — restarting in ${Math.round(state.restartInMs / 1000)} s` : ''}`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
    this.item.show();
  }

  /** The quick pick behind a click on the item. */
  static async showMenu(gateway: GatewayProcess): Promise<void> {
    const running = gateway.state.kind === 'running' || gateway.state.kind === 'starting';
    const choices = running
      ? [
          { label: '$(graph) Show Metrics', command: 'aiGateway.showMetrics' },
          { label: '$(debug-restart) Restart Local Gateway', command: 'aiGateway.restart' },
          { label: '$(debug-stop) Stop Local Gateway', command: 'aiGateway.stop' },
          { label: '$(output) Show Logs', command: 'aiGateway.showLogs' },
        ]
      : [
          { label: '$(play) Start Local Gateway', command: 'aiGateway.start' },
          { label: '$(output) Show Logs', command: 'aiGateway.showLogs' },
        ];
    const picked = await vscode.window.showQuickPick(choices, { title: 'AI Gateway' });
    if (picked) await vscode.commands.executeCommand(picked.command);
  }

  dispose(): void {
    this.item.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
