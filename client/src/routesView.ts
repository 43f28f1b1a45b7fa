// The "Routes" tree in the AI Gateway view container: each route with its methods, its targets and their live
// health; a click reveals the route in the YAML, inline actions send a test request or open its metrics.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Admin, Lsp } from '../../common/src/protocol';
import { toRange, type GatewayDocumentModels } from './documentModels';
import type { MetricsPoller } from './metricsPoller';

export type RoutesTreeNode =
  | { kind: 'route'; uri: vscode.Uri; route: Lsp.Route; id: string }
  | { kind: 'target'; route: string; url: string; weight: number; provider?: string; model?: string };

export class RoutesView implements vscode.TreeDataProvider<RoutesTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RoutesTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly treeView: vscode.TreeView<RoutesTreeNode>;
  private document: vscode.TextDocument | undefined;
  private metrics: Admin.MetricsSummary | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    poller: MetricsPoller,
    private readonly models: GatewayDocumentModels,
  ) {
    this.treeView = vscode.window.createTreeView('aiGateway.routes', { treeDataProvider: this, showCollapseAll: true });
    this.subscriptions.push(
      this.treeView,
      poller.onDidSample((sample) => {
        const before = JSON.stringify(this.metrics?.routes.map((r) => r.targets));
        this.metrics = sample?.summary;
        // Health rarely changes: redraw only when it did, not every second.
        if (JSON.stringify(this.metrics?.routes.map((r) => r.targets)) !== before) this.refresh();
      }),
      // Pushed by the language server once it analyzed an edit (not on every keystroke of the editor).
      models.onDidChange((uri) => {
        if (uri.toString() === this.document?.uri.toString()) this.refresh();
      }),
    );
  }

  /** Shows the routes of this document (the running config's, or the active editor's). */
  show(document: vscode.TextDocument | undefined): void {
    if (document === this.document) return;
    this.document = document;
    void vscode.commands.executeCommand('setContext', 'aiGateway.hasConfig', document !== undefined);
    this.treeView.description = document ? path.basename(document.uri.path) : undefined;
    this.refresh();
  }

  get shownDocument(): vscode.TextDocument | undefined {
    return this.document;
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: RoutesTreeNode): Promise<RoutesTreeNode[]> {
    const document = this.document;
    if (!document) return [];
    if (!node) {
      const model = await this.models.get(document);
      if (document !== this.document || !model) return [];
      // Where the config listens, next to which file it is: the address a deployment of it serves on.
      this.treeView.description = `${path.basename(document.uri.path)} · listen ${model.listen.host}:${model.listen.port}`;
      // Ids follow names (a route keeps its row while others move); a name written twice, mid-edit, gets its place too.
      const seen = new Set<string>();
      return model.routes.map((route) => {
        const id = seen.has(route.name) ? `${document.uri.toString()}#${route.name}#${route.index}` : `${document.uri.toString()}#${route.name}`;
        seen.add(route.name);
        return { kind: 'route' as const, uri: document.uri, route, id };
      });
    }
    if (node.kind === 'route') {
      // As the gateway shows a target everywhere (and names it in its metrics): without the URL's credentials.
      return node.route.targets.map((t) => ({ kind: 'target' as const, route: node.route.name, ...t }));
    }
    return [];
  }

  getTreeItem(node: RoutesTreeNode): vscode.TreeItem {
    if (node.kind === 'target') {
      const health = this.metrics?.routes.find((r) => r.route === node.route)?.targets?.find((t) => t.url === node.url);
      const item = new vscode.TreeItem(node.url, vscode.TreeItemCollapsibleState.None);
      item.description = [
        node.provider ? `${node.provider}${node.model ? ` ${node.model}` : ''}` : '',
        node.weight !== 1 ? `weight ${node.weight}` : '',
        health ? (health.healthy ? 'healthy' : 'unhealthy') : '',
      ]
        .filter(Boolean)
        .join(' · ');
      item.iconPath =
        health === undefined
          ? new vscode.ThemeIcon('circle-outline')
          : new vscode.ThemeIcon(health.healthy ? 'pass-filled' : 'error', new vscode.ThemeColor(health.healthy ? 'testing.iconPassed' : 'testing.iconFailed'));
      item.contextValue = 'target';
      return item;
    }
    const { route } = node;
    const item = new vscode.TreeItem(route.name, vscode.TreeItemCollapsibleState.Expanded);
    item.description = `${(route.methods ?? ['ANY']).join(',')} ${route.path}`;
    // A route being written keeps its place in the view; its icon says the config would not load yet.
    const problems = route.errors > 0 ? `\n\n$(error) ${route.errors} error(s) in this route: the gateway refuses the config until they are fixed.` : '';
    item.tooltip = new vscode.MarkdownString(
      `**${route.name}** \`${(route.methods ?? ['any method']).join(', ')} ${route.path}\`\n\n${route.targets.map((t) => `- ${t.provider ? `${t.provider} ` : ''}${t.url}`).join('\n')}${problems}`,
      true,
    );
    item.iconPath =
      route.errors > 0 ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')) : new vscode.ThemeIcon('symbol-interface');
    item.contextValue = 'route';
    item.id = node.id;
    item.command = { command: 'aiGateway.revealRoute', title: 'Reveal Route in Config', arguments: [node.uri, toRange(route.range)] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
