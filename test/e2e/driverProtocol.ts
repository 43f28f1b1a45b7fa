// The small HTTP protocol between the e2e suite (inside VS Code's extension host) and the harness process that
// drives the workbench through playwright-core: the suite asks, the harness looks at the real page and answers.
// The harness passes its URL to code-server (and so to the extension host) in this environment variable.
export const driverUrlEnv = 'AI_GATEWAY_E2E_DRIVER';

export namespace Driver {
  /** POST: a PNG of the whole workbench into .vscode-test/screenshots/<name>.png (docs/screenshots/ with AI_GATEWAY_E2E_SCREENSHOTS=docs). */
  export const screenshot = '/screenshot';
  export interface ScreenshotRequest {
    name: string; // file name without extension: letters, digits, dashes
  }
  export interface ScreenshotResponse {
    path: string;
  }

  /** POST: the visible text of the workbench elements that match a CSS selector. */
  export const workbenchText = '/workbench-text';
  export interface WorkbenchTextRequest {
    selector: string;
  }
  export interface TextResponse {
    texts: string[];
  }

  /** POST: the body text of every webview document currently loaded (panels render into their own frames). */
  export const webviewText = '/webview-text';

  /** POST: presses a key or chord in the workbench (playwright key names, e.g. "F1", "Escape"). */
  export const press = '/press';
  export interface PressRequest {
    key: string;
  }

  /** POST: types text into whatever has the keyboard focus in the workbench (e.g. an input box). */
  export const type = '/type';
  export interface TypeRequest {
    text: string;
  }

  /** POST: clicks the first visible workbench element that matches a playwright selector, waiting for it to appear. */
  export const click = '/click';
  export interface ClickRequest {
    selector: string;
  }

  /** POST: clicks the first element matching a CSS selector inside whichever webview has one (a table row, a button). */
  export const webviewClick = '/webview-click';
  /** POST: picks `value` in the first <select> matching a CSS selector inside whichever webview has one. */
  export const webviewSelect = '/webview-select';
  export interface WebviewSelectRequest {
    selector: string;
    value: string;
  }
}
