// The slice of playwright-core's API the harness uses. playwright-core lives in .vscode-test/ (outside the
// project's dependencies), so its own typings are not on the project's type path.
export interface PlaywrightChromium {
  launch(options: { executablePath: string; headless: boolean; args: string[] }): Promise<PlaywrightBrowser>;
}

export interface PlaywrightBrowser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<PlaywrightPage>;
  close(): Promise<void>;
}

export interface PlaywrightFrame {
  url(): string;
  evaluate<R>(expression: string): Promise<R>;
  locator(selector: string): PlaywrightLocator;
}

export interface PlaywrightLocator {
  allInnerTexts(): Promise<string[]>;
  first(): PlaywrightLocator;
  click(options?: { timeout?: number }): Promise<void>;
  count(): Promise<number>;
  selectOption(value: string, options?: { timeout?: number }): Promise<string[]>;
}

export interface PlaywrightPage {
  exposeFunction(name: string, fn: (...args: never[]) => unknown): Promise<void>;
  on(event: 'pageerror', listener: (err: Error) => void): void;
  goto(url: string): Promise<unknown>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<Buffer>;
  locator(selector: string): PlaywrightLocator;
  frames(): PlaywrightFrame[];
  mainFrame(): PlaywrightFrame;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
}
