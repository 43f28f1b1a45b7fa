// The suite's side of driverProtocol.ts: asks the harness to look at the real workbench page.
import { Driver, driverUrlEnv } from '../driverProtocol';

async function call<T>(path: string, body: object): Promise<T> {
  const base = process.env[driverUrlEnv];
  if (!base) throw new Error(`e2e: ${driverUrlEnv} is not set; run the suite through test/e2e/runTest.ts`);
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(json.error ?? `driver ${path} answered ${response.status}`);
  return json;
}

export const driver = {
  screenshot: (name: string) => call<Driver.ScreenshotResponse>(Driver.screenshot, { name } satisfies Driver.ScreenshotRequest),
  workbenchText: async (selector: string) => (await call<Driver.TextResponse>(Driver.workbenchText, { selector } satisfies Driver.WorkbenchTextRequest)).texts,
  webviewText: async () => (await call<Driver.TextResponse>(Driver.webviewText, {})).texts,
  press: (key: string) => call<object>(Driver.press, { key } satisfies Driver.PressRequest),
  type: (text: string) => call<object>(Driver.type, { text } satisfies Driver.TypeRequest),
  click: (selector: string) => call<object>(Driver.click, { selector } satisfies Driver.ClickRequest),
  webviewClick: (selector: string) => call<object>(Driver.webviewClick, { selector } satisfies Driver.ClickRequest),
  webviewSelect: (selector: string, value: string) => call<object>(Driver.webviewSelect, { selector, value } satisfies Driver.WebviewSelectRequest),
};
