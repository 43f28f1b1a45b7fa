// A CodeLens above each route: "Send test request", plus the live "N req · p95 X ms · E errors" while the gateway runs.
import * as vscode from 'vscode';
import { toRange, type GatewayDocumentModels } from './documentModels';
import { gatewaySelector } from './gatewayDocuments';
import type { MetricsPoller } from './metricsPoller';

export function registerRouteCodeLens(poller: MetricsPoller, models: GatewayDocumentModels): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: changed.event,
    async provideCodeLenses(document) {
      const model = await models.get(document);
      const summary = poller.latest?.summary;
      return (model?.routes ?? []).flatMap((route) => {
        const start = toRange(route.range).start;
        const at = new vscode.Range(start, start);
        const lenses = [
          new vscode.CodeLens(at, {
            title: '$(send) Send test request',
            command: 'aiGateway.sendTestRequest',
            arguments: [{ uri: document.uri, route: route.name }],
          }),
        ];
        const live = summary?.routes.find((r) => r.route === route.name);
        if (summary) {
          const title = live ? `${live.count} req · p95 ${Math.round(live.p95)} ms · ${live.errors} errors` : '0 req';
          lenses.push(new vscode.CodeLens(at, { title, command: 'aiGateway.showMetrics', arguments: [route.name] }));
        }
        return lenses;
      });
    },
  };
  return vscode.Disposable.from(
    changed,
    vscode.languages.registerCodeLensProvider(gatewaySelector, provider),
    poller.onDidSample(() => changed.fire()),
    models.onDidChange(() => changed.fire()),
  );
}
