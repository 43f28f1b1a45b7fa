// Entry of the AI Gateway extension: wires the language client, the local gateway process and the panels.
import * as vscode from 'vscode';
import { GatewayDocumentModels } from './documentModels';
import { registerGatewayCommands } from './gatewayCommands';
import { activeGatewayDocument, adoptMarkedYamlDocuments, isGatewayDocument } from './gatewayDocuments';
import { GatewayProcess } from './gatewayProcess';
import { GatewayLanguageClient } from './languageClient';
import { MetricsPoller } from './metricsPoller';
import { registerRouteCodeLens } from './routeCodeLens';
import { RouteTestController } from './routeTestController';
import { RoutesView } from './routesView';
import { GatewayStatusBar } from './statusBar';
import { RequestCredentials } from './testRequest/credentials';
import { RequestHistory } from './testRequest/history';
import { showConfigRejection } from './configRejection';
import { reportGatewayCrashes } from './crashNotice';
import { TrafficView } from './traffic/trafficView';

/** What the extension hands to whoever activates it (the e2e suite uses it to look at real state). */
export interface GatewayExtensionApi {
  gateway: GatewayProcess;
  languageClient: GatewayLanguageClient;
  documentModels: GatewayDocumentModels;
  poller: MetricsPoller;
  routesView: RoutesView;
  routeTests: RouteTestController;
  traffic: TrafficView;
  /** The file the "AI Gateway" output channel is written to (at its log level, info by default). */
  logFile: vscode.Uri;
}

let gatewayProcess: GatewayProcess | undefined;

export function activate(context: vscode.ExtensionContext): GatewayExtensionApi {
  const log = vscode.window.createOutputChannel('AI Gateway', { log: true });
  const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('aiGateway');
  const gateway = (gatewayProcess = new GatewayProcess({
    cliPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath,
    log,
    settings: () => ({
      port: settings().get<number | null>('port', 0),
      mockUnreachableTargets: settings().get<boolean>('mockUnreachableTargets', false),
      restartOnCrash: settings().get<boolean>('restartOnCrash', true),
    }),
  }));
  const poller = new MetricsPoller(gateway, log, () => settings().get<number>('metricsIntervalMs', 1000));
  const languageClient = new GatewayLanguageClient(vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath, log);
  const documentModels = new GatewayDocumentModels(languageClient, log);
  const routesView = new RoutesView(poller, documentModels);
  const credentials = new RequestCredentials(context.secrets);
  const traffic = new TrafficView({
    extensionUri: context.extensionUri,
    gateway,
    log,
    openTestRequest: (spec, send) => Promise.resolve(vscode.commands.executeCommand('aiGateway.openTestRequest', spec, send)),
  });
  const routeTests = new RouteTestController(
    () =>
      Promise.resolve(gateway.state.kind === 'running' ? { url: gateway.state.url, adminUrl: gateway.state.adminUrl, adminKey: gateway.adminKey } : undefined),
    documentModels,
  );

  context.subscriptions.push(
    log,
    gateway,
    poller,
    routesView,
    languageClient,
    documentModels,
    routeTests,
    traffic,
    vscode.window.registerWebviewViewProvider(TrafficView.viewId, traffic, { webviewOptions: { retainContextWhenHidden: true } }),
    adoptMarkedYamlDocuments(),
    new GatewayStatusBar(gateway, poller),
    registerRouteCodeLens(poller, documentModels),
    ...registerGatewayCommands({
      context,
      log,
      gateway,
      poller,
      routesView,
      routeTests,
      traffic,
      models: documentModels,
      credentials,
      testRequests: {
        extensionUri: context.extensionUri,
        history: new RequestHistory(context.workspaceState),
        credentials,
        onAnswered: () => void poller.poll(),
      },
    }),
    gateway.onDidReloadConfig((outcome) => showConfigRejection(outcome, gateway, log)),
    reportGatewayCrashes(gateway, log),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor && isGatewayDocument(editor.document) && gateway.state.kind === 'stopped') routesView.show(editor.document);
    }),
    gateway.onDidChangeState((state) => {
      if ('configPath' in state) {
        void vscode.workspace.openTextDocument(state.configPath).then((document) => routesView.show(document));
      }
    }),
  );
  routesView.show(activeGatewayDocument());
  log.info('AI Gateway extension activated');
  return { gateway, languageClient, documentModels, poller, routesView, routeTests, traffic, logFile: vscode.Uri.joinPath(context.logUri, 'AI Gateway.log') };
}

/** VS Code waits for this: the gateway is stopped (not just signalled) before the extension host goes away. */
export async function deactivate(): Promise<void> {
  await gatewayProcess?.stop();
}
