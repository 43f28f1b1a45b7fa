// Guardrail rows of `npm run bench`: PII redaction on a 1 KB prompt, and on a streamed answer, each next to the same
// route without guardrails, measured in the same rounds; and time to first token of a stream, guarded and not, from
// sequential requests on one connection. Goals (issue 18): >= 0.8x the unguarded route's rps for the 1 KB prompt,
// <= 2 ms added time to first token.
import { Pool } from 'undici';
import { formatTable, type Row } from './benchSummary';
import type { Scenario } from './gateway-bench';

/** About 1 KB of prompt with an e-mail address and a phone number in it (both are redacted on the guarded route). */
export const PROMPT_1KB_BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a support assistant for an online shop. Answer briefly and politely, in the language of the customer.' },
    {
      role: 'user',
      content:
        'Hello, I ordered a pair of running shoes two weeks ago and they have still not arrived. The tracking page says the parcel left the ' +
        'warehouse on Monday, but nothing has changed since then. Could you check what happened and tell me when I can expect it? If it is ' +
        'lost, I would like a replacement in the same size rather than a refund, because the sale price is no longer available. You can ' +
        'reach me at jane.doe@example.com or call me on +44 20 7946 0958 during office hours. I also have a question about the return ' +
        'policy: the shoes I bought last month are slightly too small, and I would like to exchange them for a larger size. Do I need to ' +
        'print a label myself, or will you send one? Thank you for your help, and sorry for the long message.',
    },
  ],
});

export const STREAM_BODY = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Say hello' }] });

export const GUARDRAIL_ROWS = {
  plainPrompt: 'gateway, 1 KB prompt, no guardrails',
  redactedPrompt: 'gateway, 1 KB prompt, PII redaction on the request',
  plainStream: 'gateway, streamed answer, no guardrails',
  redactedStream: 'gateway, streamed answer, PII redaction on the answer',
};

type GatewayScenario = (name: string, routesYaml: (mockUrl: string) => string) => Scenario;

export function guardrailScenarios(gatewayScenario: GatewayScenario): Scenario[] {
  const route = (guardrails: string) => (mockUrl: string) =>
    `  - name: chat\n    path: /v1/chat/completions\n    methods: [POST]\n    target: ${mockUrl}\n${guardrails ? `    guardrails:\n${guardrails}\n` : ''}`;
  const onRequest = '      request:\n        - pii: { action: redact, kinds: [email, phone, credit-card, iban, ip, secret] }';
  const onAnswer = '      response:\n        - pii: { action: redact, kinds: [email, phone, credit-card, iban, ip, secret] }';
  return [
    { ...gatewayScenario(GUARDRAIL_ROWS.plainPrompt, route('')), body: PROMPT_1KB_BODY },
    { ...gatewayScenario(GUARDRAIL_ROWS.redactedPrompt, route(onRequest)), body: PROMPT_1KB_BODY },
    { ...gatewayScenario(GUARDRAIL_ROWS.plainStream, route('')), body: STREAM_BODY },
    { ...gatewayScenario(GUARDRAIL_ROWS.redactedStream, route(onAnswer)), body: STREAM_BODY },
  ];
}

export interface FirstToken {
  /** Median ms from sending to the first SSE event (the role chunk). */
  firstEventMs: number;
  /** Median ms from sending to the first event with generated text. */
  firstTokenMs: number;
}

/** Time to first event and first token of `count` streamed requests one after another on one connection. */
export async function timeToFirstToken(url: string, count = 300): Promise<FirstToken> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 1 });
  const events: number[] = [];
  const tokens: number[] = [];
  const once = async (): Promise<void> => {
    const started = performance.now();
    const response = await pool.request({ method: 'POST', path: target.pathname, headers: { 'content-type': 'application/json' }, body: STREAM_BODY });
    let text = '';
    let firstEvent: number | undefined;
    let firstToken: number | undefined;
    for await (const chunk of response.body) {
      text += (chunk as Buffer).toString('utf8');
      firstEvent ??= text.includes('\n\n') ? performance.now() - started : undefined;
      if (firstToken === undefined && /"content":"[^"]/.test(text)) firstToken = performance.now() - started;
    }
    events.push(firstEvent ?? Number.NaN);
    tokens.push(firstToken ?? Number.NaN);
  };
  for (let i = 0; i < 30; i++) await once();
  events.length = 0;
  tokens.length = 0;
  for (let i = 0; i < count; i++) await once();
  await pool.close();
  return { firstEventMs: median(events), firstTokenMs: median(tokens) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The guardrail goals, read from this run's rows and first-token times. */
export function printGuardrailSummary(rows: Row[], firstTokens: Map<string, FirstToken>): void {
  const row = (name: string): Row | undefined => rows.find((candidate) => candidate.name === name);
  const ratio = (guarded: string, plain: string): string => {
    const a = row(guarded);
    const b = row(plain);
    if (!a || !b) return '-';
    const rounds = (a.roundRps ?? []).map((rps, i) => rps / (b.roundRps?.[i] ?? Number.NaN));
    const cpu = a.cpuUsPerRequest && b.cpuUsPerRequest ? ` (CPU/req ${a.cpuUsPerRequest.toFixed(0)} vs ${b.cpuUsPerRequest.toFixed(0)} µs)` : '';
    return `${(a.rps / b.rps).toFixed(2)}x, rounds ${rounds.map((r) => r.toFixed(2)).join(' ')}${cpu}`;
  };
  const lines = [
    ['1 KB prompt, PII redaction on the request', ratio(GUARDRAIL_ROWS.redactedPrompt, GUARDRAIL_ROWS.plainPrompt), '>= 0.80x'],
    ['streamed answer, PII redaction on the answer', ratio(GUARDRAIL_ROWS.redactedStream, GUARDRAIL_ROWS.plainStream), '-'],
  ].filter(([, measured]) => measured !== '-'); // a BENCH_ONLY run without the pair leaves its line out
  if (lines.length > 0)
    process.stdout.write(
      `\nGuardrails (rps of the guarded route over the same route without guardrails, this run):\n${formatTable(['row', 'rps ratio', 'goal'], lines)}\n`,
    );
  const plain = firstTokens.get(GUARDRAIL_ROWS.plainStream);
  const guarded = firstTokens.get(GUARDRAIL_ROWS.redactedStream);
  if (plain && guarded) {
    const table = [
      ['first event (ms, median)', plain.firstEventMs.toFixed(3), guarded.firstEventMs.toFixed(3), (guarded.firstEventMs - plain.firstEventMs).toFixed(3)],
      ['first token (ms, median)', plain.firstTokenMs.toFixed(3), guarded.firstTokenMs.toFixed(3), (guarded.firstTokenMs - plain.firstTokenMs).toFixed(3)],
    ];
    process.stdout.write(
      `\nTime to first token of a stream, sequential requests on one connection (goal: <= 2 ms added):\n${formatTable(['', 'no guardrails', 'PII on the answer', 'added'], table)}\n`,
    );
  }
}
