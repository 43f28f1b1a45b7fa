// The "AI Gateway" commands of the palette, status bar, editor title, routes view and CodeLens.
import * as vscode from 'vscode';
import type { Lsp, RequestTrace } from '../../common/src/protocol';
import type { GatewayDocumentModels } from './documentModels';
import { activeGatewayDocument, gatewayLanguageId, isGatewayDocument } from './gatewayDocuments';
import type { GatewayProcess } from './gatewayProcess';
import { MetricsPanel } from './metricsPanel';
import type { MetricsPoller } from './metricsPoller';
import { newGatewayConfig } from './newConfig';
import type { RouteTestController } from './routeTestController';
import { showNoRouteTests } from './routeTestHint';
import type { RoutesTreeNode, RoutesView } from './routesView';
import { GatewayStatusBar } from './statusBar';
import { askCredential } from './testRequest/credentialPrompt';
import type { RequestCredentials } from './testRequest/credentials';
import { requestTemplate } from './testRequest/requestTemplate';
import { TestRequestPanel, type TestRequestDeps } from './testRequest/testRequestPanel';
import type { TestRequestSpec } from './testRequest/requestTemplate';
import type { TrafficView } from './traffic/trafficView';
import { connectTraffic, recordFixtures } from './traffic/trafficCommands';

/** The result panel waits this long for a request's trace before it shows the answer without one. */
const traceTimeoutMs = 5_000;

export interface CommandDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  gateway: GatewayProcess;
  poller: MetricsPoller;
  routesView: RoutesView;
  routeTests: RouteTestController;
  traffic: TrafficView;
  models: GatewayDocumentModels;
  credentials: RequestCredentials;
  testRequests: Omit<TestRequestDeps, 'gatewayUrl' | 'adminKey' | 'traceOf'>;
}

/** What "Send Test Request" gets from a CodeLens or a test: the config and the route's name. */
export interface RouteRef {
  uri: vscode.Uri;
  route: string;
  /** Send at once instead of opening the request for editing first. */
  send?: boolean;
}

async function pickConfig(): Promise<vscode.TextDocument | undefined> {
  const active = activeGatewayDocument();
  if (active) return active;
  const files = await vscode.workspace.findFiles('**/{*.gateway.yaml,*.gateway.yml,ai-gateway.yaml,ai-gateway.yml}', '**/node_modules/**', 50);
  if (files.length === 0) {
    void vscode.window.showWarningMessage('No gateway config found. Create one with "AI Gateway: New Gateway Config".');
    return undefined;
  }
  const picked =
    files.length === 1
      ? files[0]
      : (
          await vscode.window.showQuickPick(
            files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
            // Kept open when focus moves: the walkthrough that ran the command re-renders (to its next step) meanwhile.
            { title: 'Start the local gateway on', ignoreFocusOut: true },
          )
        )?.uri;
  return picked ? vscode.workspace.openTextDocument(picked) : undefined;
}

export function registerGatewayCommands(deps: CommandDeps): vscode.Disposable[] {
  const { gateway, log, poller, routesView } = deps;

  async function start(document?: vscode.TextDocument): Promise<string | undefined> {
    const config = document ?? (await pickConfig());
    if (!config) return undefined;
    if (config.isDirty) await config.save();
    routesView.show(config);
    try {
      const running = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Starting the local gateway' }, () =>
        gateway.start(config.uri.fsPath),
      );
      void vscode.window.showInformationMessage(`Local gateway listening on ${running.url}`);
      return running.url;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.error(message);
      void vscode.window.showErrorMessage(message.split('\n')[0] ?? message, 'Show Logs').then((choice) => choice && log.show(true));
      return undefined;
    }
  }

  /** The running gateway's URL; starts it on `document` (or the active config) if it is not running. */
  async function runningUrl(document?: vscode.TextDocument): Promise<string | undefined> {
    const state = gateway.state;
    if (state.kind === 'running' && (!document || state.configPath === document.uri.fsPath)) return state.url;
    return start(document);
  }

  async function sendTestRequest(target?: RouteRef | RoutesTreeNode): Promise<unknown> {
    const ref = target && 'kind' in target ? (target.kind === 'route' ? { uri: target.uri, route: target.route.name } : undefined) : target;
    // Without a config in the editor (from the walkthrough, say), the one the local gateway runs.
    const running = gateway.state.kind === 'running' ? gateway.state.configPath : undefined;
    const document = ref
      ? await vscode.workspace.openTextDocument(ref.uri)
      : (activeGatewayDocument() ?? (running ? await vscode.workspace.openTextDocument(running) : undefined));
    if (!document) {
      void vscode.window.showWarningMessage('Open a gateway config to send a test request.');
      return undefined;
    }
    const routes = (await deps.models.get(document))?.routes ?? [];
    const name =
      ref?.route ??
      (routes.length === 1
        ? routes[0]?.name
        : await vscode.window.showQuickPick(
            routes.map((r) => r.name),
            { title: 'Send a test request to route', ignoreFocusOut: true },
          ));
    const route = routes.find((r) => r.name === name);
    if (!route) return undefined;
    const panel = await TestRequestPanel.show(
      {
        ...deps.testRequests,
        gatewayUrl: () => runningUrl(document),
        adminKey: gateway.adminKey,
        traceOf: (requestId) => traceOf(requestId),
      },
      requestTemplate(route),
      ref?.send === true,
    );
    return panel;
  }

  /** The test-request panel on a request from elsewhere (the Traffic view's Replay and Edit and send). */
  function openTestRequest(spec: TestRequestSpec, send: boolean): Promise<TestRequestPanel> {
    return TestRequestPanel.show(
      { ...deps.testRequests, gatewayUrl: () => runningUrl(), adminKey: gateway.adminKey, traceOf: (requestId) => traceOf(requestId) },
      spec,
      send,
    );
  }

  /** The gateway's trace of a test request; undefined when it is not running or no longer keeps that trace. */
  async function traceOf(requestId: string): Promise<RequestTrace.Record | undefined> {
    try {
      return await gateway.adminClient()?.trace(requestId, { timeoutMs: traceTimeoutMs });
    } catch (err) {
      log.debug(`No trace for request ${requestId}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  /** Resolves with the validation it showed (the e2e suite reads it). */
  async function validate(): Promise<Lsp.Validation | undefined> {
    const document = activeGatewayDocument() ?? (await pickConfig());
    if (!document) return undefined;
    // The language server judges it, as `ai-gateway-cli validate` does (the extension parses no YAML itself).
    const result = await deps.models.validate(document).catch((err: unknown) => {
      log.error(`Validate Config: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
    if (!result) {
      void vscode.window
        .showErrorMessage('The AI Gateway language server could not validate the config.', 'Show Logs')
        .then((choice) => choice && log.show(true));
      return undefined;
    }
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
    for (const line of result.lines) log.info(line);
    if (errors.length === 0) {
      void vscode.window.showInformationMessage(
        `${vscode.workspace.asRelativePath(document.uri)} is valid${warnings.length ? ` (${warnings.length} warning(s))` : ''}: the gateway can start on it.`,
      );
    } else {
      void vscode.window
        .showErrorMessage(
          `${vscode.workspace.asRelativePath(document.uri)}: ${errors.length} error(s), the gateway would refuse it. First: ${errors[0]?.message ?? ''}`,
          'Show Problems',
        )
        .then((choice) => choice && vscode.commands.executeCommand('workbench.actions.view.problems'));
    }
    return result;
  }

  const register = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable => vscode.commands.registerCommand(id, fn);
  return [
    register('aiGateway.start', (uri?: vscode.Uri) => (uri instanceof vscode.Uri ? vscode.workspace.openTextDocument(uri).then(start) : start())),
    register('aiGateway.stop', () => gateway.stop()),
    register('aiGateway.restart', async () => {
      if (gateway.state.kind === 'stopped') return start();
      return (await gateway.restart()).url;
    }),
    register('aiGateway.showRoutes', () => vscode.commands.executeCommand('aiGateway.routes.focus')),
    register('aiGateway.refreshRoutes', () => routesView.refresh()),
    register('aiGateway.showMetrics', (target?: string | RoutesTreeNode) => {
      const route = typeof target === 'string' ? target : target?.kind === 'route' ? target.route.name : undefined;
      MetricsPanel.show(deps.context.extensionUri, poller, route);
    }),
    register('aiGateway.sendTestRequest', sendTestRequest),
    register('aiGateway.runRouteTests', async () => {
      // The tests of the config in the editor; with none open, those of every open config.
      const document = activeGatewayDocument();
      if (document) await deps.routeTests.load(document);
      const file = document ? deps.routeTests.controller.items.get(document.uri.toString()) : undefined;
      if (document ? !file : deps.routeTests.controller.items.size === 0) {
        showNoRouteTests(document);
        return [];
      }
      return deps.routeTests.run(new vscode.TestRunRequest(file ? [file] : undefined), new vscode.CancellationTokenSource().token);
    }),
    register('aiGateway.validateConfig', validate),
    register('aiGateway.openTestRequest', openTestRequest),
    register('aiGateway.showTraffic', () => vscode.commands.executeCommand('aiGateway.traffic.focus')),
    register('aiGateway.connectTraffic', () => connectTraffic(deps.traffic)),
    register('aiGateway.recordFixtures', async () => {
      const config = await pickConfig();
      return config ? recordFixtures(config, gateway, log) : undefined;
    }),
    register('aiGateway.showLogs', () => log.show(true)),
    register('aiGateway.newConfig', newGatewayConfig),
    register('aiGateway.statusMenu', () => GatewayStatusBar.showMenu(gateway)),
    register('aiGateway.revealRoute', async (uri: vscode.Uri, range: vscode.Range) => {
      const editor = await vscode.window.showTextDocument(uri, { preserveFocus: false });
      editor.selection = new vscode.Selection(range.start, range.start);
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
    register('aiGateway.setRequestCredential', async () => {
      const document = activeGatewayDocument();
      const routes = document ? ((await deps.models.get(document))?.routes.map((r) => r.name) ?? []) : [];
      const scope = await vscode.window.showQuickPick([{ label: 'Every route', route: undefined }, ...routes.map((r) => ({ label: r, route: r }))], {
        title: 'Credential for test requests to',
      });
      if (!scope) return;
      const value = await askCredential(`API key or JWT for test requests to ${scope.route === undefined ? 'every route' : `"${scope.route}"`}`);
      if (value) await deps.credentials.set(scope.route, value);
    }),
  ];
}

export { gatewayLanguageId, isGatewayDocument };
