// The "AI Gateway: Traffic" view: the recent requests of the local gateway (or of another gateway the user connected
// with its admin key), streamed from the admin API as they end; filters by route and status in the page; a row opens
// the request and its answer, and Replay / Edit and send / Copy as curl reuse it. Nothing is written anywhere.
import * as vscode from 'vscode';
import type { Traffic } from '../../../common/src/protocol';
import type { AIGateway } from '../../../sdk/src';
import type { GatewayProcess, GatewayState } from '../gatewayProcess';
import { toCurl } from '../testRequest/curl';
import type { TestRequestSpec } from '../testRequest/requestTemplate';
import { webviewHtml } from '../webviewHtml';
import { specOf } from './trafficRequest';

/** Rows kept by the view (the gateway keeps as many). */
const KEPT_ROWS = 200;
/** A broken stream is tried again after this long, while its gateway runs. */
const RECONNECT_MS = 2_000;

/** Where the rows come from. */
export interface TrafficSource {
  client: AIGateway;
  /** Shown in the view: the local gateway's URL, or the URL the user connected to. */
  label: string;
  /** The editor's own gateway (bodies are kept); false for another one connected with its admin key. */
  local: boolean;
  /** Base URL requests are replayed against. */
  url: string;
}

/** Extension -> traffic page. */
export type TrafficPageMessage =
  | { type: 'source'; label?: string; local: boolean; connected: boolean; bodies?: boolean; message?: string }
  | { type: 'entries'; entries: Traffic.Entry[] }
  | { type: 'entry'; entry: Traffic.Entry }
  | { type: 'detail'; detail: Traffic.Detail }
  | { type: 'error'; message: string };
/** Traffic page -> extension. */
export type TrafficPageReply =
  | { type: 'ready' }
  | { type: 'open'; requestId: string }
  | { type: 'replay'; requestId: string }
  | { type: 'edit'; requestId: string }
  | { type: 'copyCurl'; requestId: string }
  | { type: 'clear' }
  | { type: 'connect' };

export interface TrafficViewDeps {
  extensionUri: vscode.Uri;
  gateway: GatewayProcess;
  log: vscode.LogOutputChannel;
  /** Opens the test-request panel on a request, sending it at once when `send`. */
  openTestRequest(spec: TestRequestSpec, send: boolean): Promise<unknown>;
}

export class TrafficView implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'aiGateway.traffic';
  private view: vscode.WebviewView | undefined;
  private source: TrafficSource | undefined;
  private streaming: AbortController | undefined;
  private entries: Traffic.Entry[] = [];
  private hello: Traffic.Hello | undefined;
  private connected = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly rowEmitter = new vscode.EventEmitter<Traffic.Entry>();
  /** Fires for each row that arrives (the e2e suite waits on it). */
  readonly onDidReceiveRow = this.rowEmitter.event;

  constructor(private readonly deps: TrafficViewDeps) {
    this.subscriptions.push(deps.gateway.onDidChangeState((state) => this.followLocal(state)));
    this.followLocal(deps.gateway.state);
  }

  get rows(): readonly Traffic.Entry[] {
    return this.entries;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'client', 'media')] };
    view.webview.html = webviewHtml(view.webview, this.deps.extensionUri, {
      title: 'AI Gateway Traffic',
      script: 'traffic.js',
      style: 'traffic.css',
      body: TRAFFIC_BODY,
    });
    this.subscriptions.push(
      view.webview.onDidReceiveMessage((message: TrafficPageReply) => void this.onMessage(message)),
      view.onDidDispose(() => (this.view = undefined)),
    );
  }

  /** Shows the traffic of another gateway, read with its admin key (its bodies are not kept: only the local gateway's are). */
  connectRemote(url: string, client: AIGateway): void {
    this.use({ client, label: url, local: false, url });
  }

  private followLocal(state: GatewayState): void {
    if (state.kind === 'running') {
      const client = this.deps.gateway.adminClient();
      if (client && (this.source === undefined || this.source.local)) this.use({ client, label: state.url, local: true, url: state.url });
    } else if (this.source?.local && state.kind !== 'starting') {
      this.streaming?.abort();
      this.connected = false;
      this.postSource('The local gateway is not running: start it to see its traffic.');
    }
  }

  private use(source: TrafficSource): void {
    this.streaming?.abort();
    this.source = source;
    this.entries = [];
    this.hello = undefined;
    void this.post({ type: 'entries', entries: [] });
    void this.stream(source);
  }

  private async stream(source: TrafficSource): Promise<void> {
    const controller = (this.streaming = new AbortController());
    while (!controller.signal.aborted) {
      try {
        for await (const entry of source.client.traffic({
          signal: controller.signal,
          onHello: (hello) => {
            this.hello = hello;
            this.connected = true;
            this.postSource();
          },
        })) {
          if (this.entries.some((kept) => kept.seq === entry.seq && kept.requestId === entry.requestId)) continue; // a reconnect's backlog
          this.entries.push(entry);
          if (this.entries.length > KEPT_ROWS) this.entries.shift();
          this.rowEmitter.fire(entry);
          void this.post({ type: 'entry', entry });
        }
      } catch (err) {
        if (controller.signal.aborted) return;
        this.connected = false;
        const message = err instanceof Error ? err.message : String(err);
        this.deps.log.debug(`Traffic stream of ${source.label}: ${message}`);
        this.postSource(`Not connected to ${source.label}: ${message}`);
      }
      if (controller.signal.aborted) return;
      if (source.local && this.deps.gateway.state.kind !== 'running') return;
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  }

  private async onMessage(message: TrafficPageReply): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.postSource(this.source ? undefined : 'The local gateway is not running: start it to see its traffic.');
        await this.post({ type: 'entries', entries: this.entries });
        return;
      case 'clear':
        this.entries = [];
        return;
      case 'connect':
        await vscode.commands.executeCommand('aiGateway.connectTraffic');
        return;
      default:
        break;
    }
    const detail = await this.detail(message.requestId);
    if (!detail) return;
    if (message.type === 'open') await this.post({ type: 'detail', detail });
    else if (message.type === 'replay') await this.deps.openTestRequest(specOf(detail), true);
    else if (message.type === 'edit') await this.deps.openTestRequest(specOf(detail), false);
    else if (message.type === 'copyCurl') {
      await vscode.env.clipboard.writeText(toCurl(this.source?.url ?? 'http://127.0.0.1:8080', specOf(detail), false));
      void vscode.window.showInformationMessage('Copied the request as a curl command (credentials left out).');
    }
  }

  private async detail(requestId: string): Promise<Traffic.Detail | undefined> {
    try {
      return await this.source?.client.trafficEntry(requestId, { timeoutMs: 5_000 });
    } catch (err) {
      await this.post({ type: 'error', message: `Request ${requestId}: ${err instanceof Error ? err.message : String(err)}` });
      return undefined;
    }
  }

  private postSource(message?: string): void {
    void this.post({
      type: 'source',
      ...(this.source ? { label: this.source.label } : {}),
      local: this.source?.local ?? true,
      connected: this.connected,
      ...(this.hello ? { bodies: this.hello.bodies } : {}),
      ...(message ? { message } : {}),
    });
  }

  private post(message: TrafficPageMessage): Thenable<boolean> {
    return this.view?.webview.postMessage(message) ?? Promise.resolve(false);
  }

  dispose(): void {
    this.streaming?.abort();
    this.rowEmitter.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

const TRAFFIC_BODY = `
<header>
  <span id="source" role="status">Waiting for the local gateway…</span>
  <label>Route <select id="route-filter" aria-label="Filter by route"><option value="*">all</option></select></label>
  <label>Status <select id="status-filter" aria-label="Filter by status">
    <option value="*">all</option><option value="2">2xx</option><option value="3">3xx</option><option value="4">4xx</option><option value="5">5xx</option><option value="error">errors (4xx, 5xx)</option>
  </select></label>
  <button id="clear" type="button" class="secondary">Clear</button>
  <button id="connect" type="button" class="secondary">Connect to a gateway…</button>
</header>
<p id="bodies-note" class="muted"></p>
<div id="split">
  <div id="table-box">
    <table id="rows" aria-label="Recent requests">
      <thead><tr><th>Time</th><th>Method</th><th>Path</th><th>Route</th><th>Consumer</th><th>Status</th><th>Provider / model</th><th>Tokens</th><th>Cost</th><th>Duration</th><th>Cache</th><th>Guardrail</th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="empty" class="muted">No requests yet.</p>
  </div>
  <section id="detail" hidden aria-label="Request detail">
    <div class="line"><strong id="detail-title"></strong>
      <button id="replay" type="button">Replay</button>
      <button id="edit" type="button" class="secondary">Edit and send</button>
      <button id="curl" type="button" class="secondary">Copy as curl</button>
    </div>
    <p id="detail-meta" class="muted"></p>
    <details open><summary>Request</summary><table id="request-headers"></table><pre id="request-body"></pre></details>
    <details open><summary>Answer</summary><p id="response-status"></p><table id="response-headers"></table>
      <ol id="response-events"></ol><pre id="response-body"></pre></details>
    <details open><summary>Gateway trace</summary><ol id="trace"></ol></details>
  </section>
</div>`;
