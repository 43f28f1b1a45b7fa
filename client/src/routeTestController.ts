// Route tests (`tests:` under a route) in VS Code's Testing view: one item per config file, route and test,
// run against the local gateway by the same engine as `ai-gateway-cli test`, failures shown with expected/actual.
import * as vscode from 'vscode';
import { runRouteTest, type RouteTestCase, type RouteTestResult } from '../../sdk/src';
import { toRange, type GatewayDocumentModels } from './documentModels';
import { isGatewayDocument } from './gatewayDocuments';

export class RouteTestController implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController('aiGateway.routeTests', 'AI Gateway Route Tests');
  private readonly cases = new WeakMap<vscode.TestItem, RouteTestCase>();
  /** The document version whose tests the items show, so a slow answer for an older version does not replace them. */
  private readonly shownVersions = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    /** The running local gateway: its URL, and its admin API and key (traces let tests check guardrail verdicts). */
    private readonly gateway: () => Promise<{ url: string; adminUrl: string; adminKey: string } | undefined>,
    private readonly models: GatewayDocumentModels,
  ) {
    this.controller.createRunProfile(
      'Run against the local gateway',
      vscode.TestRunProfileKind.Run,
      async (request, token) => {
        await this.run(request, token);
      },
      true,
    );
    this.subscriptions.push(
      // The language server says when it analyzed a change (an open too); then the items follow the new version.
      models.onDidChange((uri) => {
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        if (document) void this.load(document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.controller.items.delete(d.uri.toString());
        this.shownVersions.delete(d.uri.toString());
      }),
    );
    for (const document of vscode.workspace.textDocuments) void this.load(document);
  }

  /** (Re)builds the items of one config document from the language server's model of it. */
  async load(document: vscode.TextDocument): Promise<void> {
    if (!isGatewayDocument(document)) return;
    const model = await this.models.get(document);
    const uri = document.uri.toString();
    if (!model || model.version < (this.shownVersions.get(uri) ?? -1) || document.isClosed) return;
    this.shownVersions.set(uri, model.version);
    const file = this.controller.createTestItem(uri, vscode.workspace.asRelativePath(document.uri), document.uri);
    for (const route of model.routes) {
      if (route.tests.length === 0) continue;
      const routeItem = this.controller.createTestItem(`${uri}#${route.name}`, route.name, document.uri);
      routeItem.range = toRange(route.range);
      route.tests.forEach((test, index) => {
        const item = this.controller.createTestItem(`${routeItem.id}#${index}`, test.name, document.uri);
        const range = route.testRanges[index];
        if (range) item.range = toRange(range);
        this.cases.set(item, { route: route.name, routePath: route.path, routeMethods: route.methods, test });
        routeItem.children.add(item);
      });
      file.children.add(routeItem);
    }
    if (file.children.size > 0) this.controller.items.add(file);
    else this.controller.items.delete(file.id);
  }

  private leaves(items: readonly vscode.TestItem[]): vscode.TestItem[] {
    return items.flatMap((item) => (this.cases.has(item) ? [item] : this.leaves(collect(item.children))));
  }

  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<RouteTestResult[]> {
    const run = this.controller.createTestRun(request);
    const excluded = new Set(request.exclude ?? []);
    const items = this.leaves(request.include ?? collect(this.controller.items)).filter((i) => !excluded.has(i));
    const results: RouteTestResult[] = [];
    try {
      const gateway = await this.gateway();
      for (const item of items) {
        if (token.isCancellationRequested) break;
        const testCase = this.cases.get(item);
        if (!testCase) continue;
        if (!gateway) {
          run.errored(item, new vscode.TestMessage('The local gateway is not running: start it to run route tests.'));
          continue;
        }
        run.started(item);
        const result = await runRouteTest(testCase, { gatewayUrl: gateway.url, adminUrl: gateway.adminUrl, adminKey: gateway.adminKey });
        results.push(result);
        report(run, item, result);
      }
    } finally {
      run.end();
    }
    return results;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.controller.dispose();
  }
}

function collect(collection: vscode.TestItemCollection): vscode.TestItem[] {
  const items: vscode.TestItem[] = [];
  collection.forEach((item) => items.push(item));
  return items;
}

function report(run: vscode.TestRun, item: vscode.TestItem, result: RouteTestResult): void {
  if (result.error) {
    run.errored(item, new vscode.TestMessage(`${result.request.method} ${result.request.url}: ${result.error}`), result.durationMs);
  } else if (result.passed) {
    run.passed(item, result.durationMs);
  } else {
    const messages = result.failures.map((f) => {
      const message = vscode.TestMessage.diff(f.message, f.expected, f.actual);
      if (item.uri && item.range) message.location = new vscode.Location(item.uri, item.range);
      return message;
    });
    run.failed(item, messages, result.durationMs);
  }
}
