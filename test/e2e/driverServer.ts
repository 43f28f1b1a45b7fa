// The harness side of driverProtocol.ts: a loopback HTTP server that lets the suite (in the extension host) look at
// the real workbench page: screenshots, visible text of workbench parts and of webview documents, key presses.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Driver } from './driverProtocol';
import type { PlaywrightLocator, PlaywrightPage } from './playwrightTypes';
import { screenshotsDirFor } from './paths';

export interface DriverServer {
  url: string;
  close(): Promise<void>;
}

type Handler = (page: PlaywrightPage, body: Record<string, unknown>) => Promise<unknown>;

function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw new Error(`driver: "${name}" must be a non-empty string`);
  return value;
}

const handlers: Record<string, Handler> = {
  [Driver.screenshot]: async (page, body): Promise<Driver.ScreenshotResponse> => {
    const name = stringField(body, 'name');
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`driver: screenshot name "${name}" must be lower-case letters, digits and dashes`);
    const dir = screenshotsDirFor();
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.png`);
    await page.screenshot({ path: file });
    return { path: file };
  },
  [Driver.workbenchText]: async (page, body): Promise<Driver.TextResponse> => ({
    texts: await page.locator(stringField(body, 'selector')).allInnerTexts(),
  }),
  [Driver.webviewText]: async (page): Promise<Driver.TextResponse> => {
    const main = page.mainFrame();
    const texts: string[] = [];
    for (const frame of page.frames()) {
      if (frame === main) continue;
      // Frames can be navigating or detached while we look; such a frame simply has no text yet.
      texts.push(await frame.evaluate<string>('document.body ? document.body.innerText : ""').catch(() => ''));
    }
    return { texts: texts.filter((t) => t.trim() !== '') };
  },
  [Driver.press]: async (page, body) => {
    await page.keyboard.press(stringField(body, 'key'));
    return {};
  },
  [Driver.type]: async (page, body) => {
    await page.keyboard.type(stringField(body, 'text'));
    return {};
  },
  [Driver.click]: async (page, body) => {
    await page.locator(stringField(body, 'selector')).first().click({ timeout: 15_000 });
    return {};
  },
  [Driver.webviewClick]: async (page, body) => {
    await (await webviewElement(page, stringField(body, 'selector'))).click({ timeout: 15_000 });
    return {};
  },
  [Driver.webviewSelect]: async (page, body) => {
    await (await webviewElement(page, stringField(body, 'selector'))).selectOption(stringField(body, 'value'), { timeout: 15_000 });
    return {};
  },
};

/** The first element matching `selector` in any webview frame (each panel and view renders into its own). */
async function webviewElement(page: PlaywrightPage, selector: string): Promise<PlaywrightLocator> {
  const main = page.mainFrame();
  for (const frame of page.frames()) {
    if (frame === main) continue;
    const found = frame.locator(selector).first();
    if ((await found.count().catch(() => 0)) > 0) return found;
  }
  throw new Error(`driver: no webview has an element matching ${selector}`);
}

function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const text = Buffer.concat(chunks).toString() || '{}';
        resolve(JSON.parse(text) as Record<string, unknown>);
      } catch (err) {
        reject(new Error(`driver: request body is not JSON (${String(err)})`));
      }
    });
    req.on('error', reject);
  });
}

export async function startDriverServer(currentPage: () => PlaywrightPage | undefined): Promise<DriverServer> {
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const handler = req.method === 'POST' ? handlers[req.url ?? ''] : undefined;
    const page = currentPage();
    if (!handler) return reply(404, { error: `driver: no ${req.method} ${req.url}` });
    if (!page) return reply(503, { error: 'driver: the workbench page is not open yet' });
    readJson(req)
      .then((body) => handler(page, body))
      .then((result) => reply(200, result))
      .catch((err: unknown) => reply(500, { error: err instanceof Error ? err.message : String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
