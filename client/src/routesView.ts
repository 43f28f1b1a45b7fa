// The "Routes" tree in the AI Gateway view container: each route with its methods, its targets and their live
// health; a click reveals the route in the YAML, inline actions send a test request or open its metrics.
import * as vscode from 'vscode';
import { redactUrl } from '../../common/src/config';
import type { Admin } from '../../common/src/protocol';
import { parseGatewayDocument, type LocatedRoute } from './configModel';
import type { MetricsPoller } from './metricsPoller';

export type RoutesTreeNode = { kind: 'route'; uri: vscode.Uri; located: LocatedRoute } | { kind: 'target'; route: string; url: string; weight: number };

export class RoutesView implements vscode.TreeDataProvider<RoutesTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RoutesTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private document: vscode.TextDocument | undefined;
  private metrics: Admin.MetricsSummary | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(poller: MetricsPoller) {
    this.subscriptions.push(
      poller.onDidSample((sample) => {
        const before = JSON.stringify(this.metrics?.routes.map((r) => r.targets));
        this.metrics = sample?.summary;
        // Health rarely changes: redraw only when it did, not every second.
        if (JSON.stringify(this.metrics?.routes.map((r) => r.targets)) !== before) this.refresh();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === this.document) this.refresh();
      }),
    );
  }

  /** Shows the routes of this document (the running config's, or the active editor's). */
  show(document: vscode.TextDocument | undefined): void {
    if (document === this.document) return;
    this.document = document;
    void vscode.commands.executeCommand('setContext', 'aiGateway.hasConfig', document !== undefined);
    this.refresh();
  }

  get shownDocument(): vscode.TextDocument | undefined {
    return this.document;
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: RoutesTreeNode): RoutesTreeNode[] {
    const document = this.document;
    if (!document) return [];
    if (!node) {
      return parseGatewayDocument(document).routes.map((located) => ({ kind: 'route' as const, uri: document.uri, located }));
    }
    if (node.kind === 'route') {
      // As the gateway shows a target everywhere (and names it in its metrics): without the URL's credentials.
      return node.located.route.targets.map((t) => ({ kind: 'target' as const, route: node.located.route.name, url: redactUrl(t.url), weight: t.weight }));
    }
    return [];
  }

  getTreeItem(node: RoutesTreeNode): vscode.TreeItem {
    if (node.kind === 'target') {
      const health = this.metrics?.routes.find((r) => r.route === node.route)?.targets?.find((t) => t.url === node.url);
      const item = new vscode.TreeItem(node.url, vscode.TreeItemCollapsibleState.None);
      item.description = [node.weight !== 1 ? `weight ${node.weight}` : '', health ? (health.healthy ? 'healthy' : 'unhealthy') : '']
        .filter(Boolean)
        .join(' · ');
      item.iconPath =
        health === undefined
          ? new vscode.ThemeIcon('circle-outline')
          : new vscode.ThemeIcon(health.healthy ? 'pass-filled' : 'error', new vscode.ThemeColor(health.healthy ? 'testing.iconPassed' : 'testing.iconFailed'));
      item.contextValue = 'target';
      return item;
    }
    const { route, range } = node.located;
    const item = new vscode.TreeItem(route.name, vscode.TreeItemCollapsibleState.Expanded);
    item.description = `${(route.methods ?? ['ANY']).join(',')} ${route.path}`;
    item.tooltip = new vscode.MarkdownString(
      `**${route.name}** \`${(route.methods ?? ['any method']).join(', ')} ${route.path}\`\n\n${route.targets.map((t) => `- ${redactUrl(t.url)}`).join('\n')}`,
    );
    item.iconPath = new vscode.ThemeIcon('symbol-interface');
    item.contextValue = 'route';
    item.id = `${node.uri.toString()}#${route.name}`;
    item.command = { command: 'aiGateway.revealRoute', title: 'Reveal Route in Config', arguments: [node.uri, range] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
