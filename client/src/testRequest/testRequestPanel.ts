// The test-request panel: the request (editable), then the answer as it arrives — status, headers, pretty body,
// connect / first byte / total times, SSE events live with time to first token and tokens per second, the
// gateway's trace — plus the last 50 requests to re-send and "copy as curl".
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { RequestTrace } from '../../../common/src/protocol';
import type { RequestCredentials } from './credentials';
import { promptForCredential } from './credentialPrompt';
import { toCurl } from './curl';
import type { HistoryEntry, RequestHistory } from './history';
import type { TestRequestSpec } from './requestTemplate';
import { sendTestRequest, type SseEvent, type TestResponse } from './sendRequest';
import { webviewHtml, webviewOptions } from '../webviewHtml';

/** Extension -> test-request page. */
export type TestRequestPageMessage =
  | { type: 'load'; spec: TestRequestSpec; baseUrl?: string; history: HistoryEntry[] }
  | { type: 'started'; id: string; spec: TestRequestSpec }
  | { type: 'headers'; id: string; status: number; headers: Record<string, string>; firstByteMs: number }
  | { type: 'sse'; id: string; event: SseEvent }
  | { type: 'done'; id: string; response: TestResponse }
  | { type: 'failed'; id: string; message: string }
  | { type: 'history'; history: HistoryEntry[] }
  | { type: 'trace'; id: string; trace: RequestTrace.Record };
/** Test-request page -> extension. */
export type TestRequestPageReply =
  { type: 'ready' } | { type: 'send'; spec: TestRequestSpec } | { type: 'resend'; id: string } | { type: 'copyCurl'; spec: TestRequestSpec };

export interface TestRequestDeps {
  extensionUri: vscode.Uri;
  history: RequestHistory;
  credentials: RequestCredentials;
  /** The running gateway's URL, starting it if needed; undefined if it could not start. */
  gatewayUrl: () => Promise<string | undefined>;
  /** The admin key of the local gateway, sent so the gateway returns its trace. */
  adminKey: string;
  /** The whole trace the gateway kept of a request (admin API), once the answer is complete. */
  traceOf: (requestId: string) => Promise<RequestTrace.Record | undefined>;
  /** Called after each answer, e.g. to refresh metrics right away. */
  onAnswered: () => void;
}

export class TestRequestPanel implements vscode.Disposable {
  static readonly viewType = 'aiGateway.testRequest';
  private static current: TestRequestPanel | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private pendingSpec: TestRequestSpec;
  private ready = false;
  private inFlight: AbortController | undefined;

  /** Opens (or reuses) the panel on this request; `send` sends it right away. */
  static async show(deps: TestRequestDeps, spec: TestRequestSpec, send: boolean): Promise<TestRequestPanel> {
    let panel = TestRequestPanel.current;
    if (panel) {
      panel.deps = deps; // this request's config: its gateway URL and trace, not the one the panel was opened for
      panel.panel.reveal(undefined, true);
      panel.load(spec);
    } else {
      const webviewPanel = vscode.window.createWebviewPanel(
        TestRequestPanel.viewType,
        'AI Gateway Test Request',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        webviewOptions(deps.extensionUri),
      );
      panel = TestRequestPanel.current = new TestRequestPanel(webviewPanel, deps, spec);
    }
    if (send) await panel.send(spec);
    return panel;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private deps: TestRequestDeps,
    spec: TestRequestSpec,
  ) {
    this.pendingSpec = spec;
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'client', 'media', 'gateway.svg');
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, {
      title: 'AI Gateway Test Request',
      script: 'testRequest.js',
      style: 'testRequest.css',
      body: TEST_REQUEST_BODY,
    });
    this.subscriptions.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: TestRequestPageReply) => void this.onMessage(message)),
    );
  }

  private load(spec: TestRequestSpec): void {
    this.pendingSpec = spec;
    if (this.ready) void this.post({ type: 'load', spec, history: this.deps.history.entries() });
  }

  private async onMessage(message: TestRequestPageReply): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.load(this.pendingSpec);
        break;
      case 'send':
        await this.send(message.spec);
        break;
      case 'resend': {
        const entry = this.deps.history.find(message.id);
        if (entry) await this.send(entry.spec);
        break;
      }
      case 'copyCurl': {
        const baseUrl = (await this.deps.gatewayUrl()) ?? 'http://127.0.0.1:8080';
        const hasCredential = (await this.deps.credentials.forRoute(message.spec.route)) !== undefined;
        await vscode.env.clipboard.writeText(toCurl(baseUrl, message.spec, hasCredential));
        void vscode.window.showInformationMessage('Copied the request as a curl command.');
        break;
      }
    }
  }

  /** Sends the request and streams its progress to the page; resolves with the answer (or undefined). */
  async send(spec: TestRequestSpec): Promise<TestResponse | undefined> {
    const baseUrl = await this.deps.gatewayUrl();
    if (!baseUrl) return undefined;
    this.inFlight?.abort();
    const controller = (this.inFlight = new AbortController());
    const id = randomUUID();
    await this.post({ type: 'started', id, spec });
    const credential = await this.deps.credentials.forRoute(spec.route);
    const withCredential =
      credential && !Object.keys(spec.headers).some((h) => h.toLowerCase() === 'authorization')
        ? { ...spec, headers: { ...spec.headers, authorization: `Bearer ${credential}` } }
        : spec;
    const entry: HistoryEntry = { id, at: Date.now(), spec };
    try {
      const response = await sendTestRequest(
        baseUrl,
        withCredential,
        this.deps.adminKey,
        {
          onHeaders: (status, headers, firstByteMs) => void this.post({ type: 'headers', id, status, headers, firstByteMs }),
          onSseEvent: (event) => void this.post({ type: 'sse', id, event }),
        },
        controller.signal,
      );
      await this.post({ type: 'done', id, response });
      // The header carries the decisions made until the answer started; the kept record has the whole request.
      const trace = response.requestId ? await this.deps.traceOf(response.requestId).catch(() => undefined) : undefined;
      if (trace) await this.post({ type: 'trace', id, trace });
      entry.status = response.status;
      entry.totalMs = response.timings.totalMs;
      await this.post({ type: 'history', history: await this.deps.history.add(entry) });
      this.deps.onAnswered();
      if (response.status === 401) void this.offerCredential(spec, credential !== undefined);
      return response;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      entry.error = message;
      await this.post({ type: 'failed', id, message });
      await this.post({ type: 'history', history: await this.deps.history.add(entry) });
      return undefined;
    }
  }

  /** A 401: offer to store a credential for the route, then send the same request again with it. */
  private async offerCredential(spec: TestRequestSpec, hadCredential: boolean): Promise<void> {
    if (await promptForCredential(this.deps.credentials, spec.route, hadCredential)) await this.send(spec);
  }

  private post(message: TestRequestPageMessage): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (TestRequestPanel.current === this) TestRequestPanel.current = undefined;
    this.inFlight?.abort();
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }
}

const TEST_REQUEST_BODY = `
<form id="request" aria-label="Request">
  <div class="line">
    <select id="method" aria-label="Method">${['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => `<option>${m}</option>`).join('')}</select>
    <input id="path" aria-label="Path" spellcheck="false">
    <button id="send" type="submit">Send</button>
    <button id="curl" type="button" class="secondary">Copy as curl</button>
  </div>
  <details open><summary>Headers (JSON)</summary><textarea id="headers" rows="3" spellcheck="false"></textarea></details>
  <details open><summary>Body</summary><textarea id="body" rows="8" spellcheck="false"></textarea></details>
  <p id="route" class="muted"></p>
</form>
<section id="response" aria-live="polite">
  <div class="line"><span id="status" class="badge">No request sent yet</span><span id="timings" class="muted"></span></div>
  <details id="sse-box" open hidden><summary>Stream <span id="sse-stats" class="muted"></span></summary><ol id="sse"></ol></details>
  <details open><summary>Body</summary><pre id="response-body"></pre></details>
  <details><summary>Headers</summary><table id="response-headers"></table></details>
  <details id="trace-box" open><summary>Gateway trace</summary><ol id="trace"></ol></details>
</section>
<section id="history-box"><h2>History</h2><ol id="history"></ol></section>`;
