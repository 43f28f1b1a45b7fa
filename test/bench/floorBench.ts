// The floor rows of `npm run bench` (issue 20): the hand-written proxy doing the production row's work
// (floorProxy.ts) in front of the Anthropic mock, the same proxy translating only, and the bare proxy sending the
// translated request itself to the Anthropic mock (what the costlier mock alone takes). Before a floor row is measured
// its proxy is checked to do its work (checkFloorProxy): a figure can never be of a proxy that skipped some.
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { FLOOR_ROWS } from './benchSummary';
import { anthropicRequestOf, FLOOR_CHAT_PATH } from './floorProxy';
import { jsonUrl, nodeArgs, startProcess } from './processes';
import type { Scenario } from './gateway-bench';

/** The body the production row is sent (gateway-bench.ts TRANSLATED_BODY), passed in to keep one definition. */
export interface FloorSettings {
  body: string;
  /** What the Anthropic mock wants of a request sent to it as is. */
  anthropicHeaders: Record<string, string>;
  /** Node's arguments before the script: the CPU profile flags and the gateway's node flags (the floor runs as the gateway does). */
  nodeFlags: string[];
  /** The environment the gateway's launchers add (common/src/nodeFlags.ts GATEWAY_ENV), given with nodeFlags. */
  nodeEnv: Readonly<Record<string, string>>;
  /** The same without the gateway's node flags and environment (as the baseline runs): the unflagged floor and the bare proxy row. */
  baselineFlags: string[];
  /** A scenario while /metrics is scraped once a second, as the production row is. */
  scraped: (scenario: Scenario) => Scenario;
}

export function floorScenarios(settings: FloorSettings, apiKey: string): Scenario[] {
  const script = (name: string): string => path.join(__dirname, `${name}${path.extname(__filename)}`);
  const floor = (name: string, mode: 'full' | 'translation', asGateway = true): Scenario => ({
    name,
    path: FLOOR_CHAT_PATH,
    headers: { 'x-api-key': apiKey },
    mock: 'anthropic',
    body: settings.body,
    async start(mockUrl, workDir) {
      const logFile = floorLogFile(workDir, name);
      await writeFile(logFile, '');
      const nodeFlags = asGateway ? settings.nodeFlags : settings.baselineFlags;
      const env = {
        ...(asGateway ? settings.nodeEnv : {}),
        ...process.env,
        BENCH_API_KEY: apiKey,
        BENCH_ANTHROPIC_KEY: settings.anthropicHeaders['x-api-key'],
      };
      const started = await startProcess(process.execPath, [...nodeFlags, ...nodeArgs(script('floorProxy')), mockUrl, logFile, mode], jsonUrl, env);
      try {
        await checkFloorProxy(started.url, { apiKey, body: settings.body, logFile: mode === 'full' ? logFile : undefined });
      } catch (err) {
        await started.stop();
        throw err;
      }
      return started;
    },
  });
  const bareAnthropic: Scenario = {
    name: FLOOR_ROWS.bareAnthropic,
    path: '/v1/messages',
    headers: settings.anthropicHeaders,
    mock: 'anthropic',
    // The request the floor and the gateway send upstream, so that the mock does the same work.
    body: JSON.stringify(anthropicRequestOf(JSON.parse(settings.body) as unknown)),
    start: (mockUrl) => startProcess(process.execPath, [...settings.baselineFlags, ...nodeArgs(script('bareProxy')), mockUrl], jsonUrl),
  };
  return [
    settings.scraped(floor(FLOOR_ROWS.floor, 'full')),
    settings.scraped(floor(FLOOR_ROWS.unflagged, 'full', false)),
    floor(FLOOR_ROWS.translationOnly, 'translation'),
    bareAnthropic,
  ];
}

/** Where a floor row's proxy writes its access log. */
export function floorLogFile(workDir: string, row: string): string {
  return path.join(workDir, `${row.replace(/\W+/g, '-')}.log`);
}

export interface FloorCheck {
  apiKey: string;
  body: string;
  /** The access log the proxy writes; undefined for the translation-only proxy (no key, metrics or log to check). */
  logFile: string | undefined;
}

/**
 * Throws unless the floor proxy at `url` does its work: 401 without the key, an OpenAI-shaped chat.completion with
 * it (through the Anthropic mock), /metrics counting both requests and the tokens, and access lines for both.
 */
export async function checkFloorProxy(url: string, check: FloorCheck): Promise<void> {
  const chat = `${url}${FLOOR_CHAT_PATH}`;
  const post = (headers: Record<string, string>): Promise<Response> =>
    fetch(chat, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: check.body });
  const fail = (what: string): never => {
    throw new Error(`floor proxy ${url} skipped its work: ${what}`);
  };
  const answered = await post({ 'x-api-key': check.apiKey });
  const completion = (await answered.json()) as {
    object?: unknown;
    choices?: { message?: { role?: unknown; content?: unknown } }[];
    usage?: { total_tokens?: unknown };
  };
  const message = completion.choices?.[0]?.message;
  if (
    answered.status !== 200 ||
    completion.object !== 'chat.completion' ||
    message?.role !== 'assistant' ||
    typeof message.content !== 'string' ||
    message.content === ''
  )
    fail(`no chat.completion with the key (${answered.status}: ${JSON.stringify(completion).slice(0, 300)})`);
  if (typeof completion.usage?.total_tokens !== 'number' || completion.usage.total_tokens <= 0) fail('no usage in the translated answer');
  if (check.logFile === undefined) return;
  const refused = await post({});
  const refusal = (await refused.json()) as { error?: { type?: unknown } };
  if (refused.status !== 401 || typeof refusal.error?.type !== 'string') fail(`answered ${refused.status} without the key`);
  const wrong = await post({ 'x-api-key': `${check.apiKey}x` });
  await wrong.arrayBuffer();
  if (wrong.status !== 401) fail(`answered ${wrong.status} to a wrong key`);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  for (const expected of [
    /^floor_requests_total\{[^}]*status="200"[^}]*\} [1-9]/m,
    /^floor_requests_total\{[^}]*status="401"[^}]*\} [1-9]/m,
    /^floor_tokens_total\{[^}]*type="completion"[^}]*\} [1-9]/m,
    /^floor_request_duration_seconds_count\{[^}]*model="[^"]+"[^}]*\} [1-9]/m,
  ])
    if (!expected.test(metrics)) fail(`/metrics has no line matching ${String(expected)}`);
  const lines = await accessLines(check.logFile, 3);
  const statuses = lines.map((line) => line.status);
  if (!statuses.includes(200) || !statuses.includes(401)) fail(`the access log has statuses ${JSON.stringify(statuses)}, not 200 and 401`);
  const served = lines.find((line) => line.status === 200);
  if (served?.consumer !== 'bench' || typeof served.model !== 'string' || typeof served.tokens !== 'number' || typeof served.durationMs !== 'number')
    fail(`the access line of the answered request lacks consumer, model, tokens or duration: ${JSON.stringify(served)}`);
}

/** The access log's lines once it holds `count` (it is written at the end of an event-loop turn), parsed. */
async function accessLines(file: string, count: number): Promise<Record<string, unknown>[]> {
  let lines: string[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    if (lines.length >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}
