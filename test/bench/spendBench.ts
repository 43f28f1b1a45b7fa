// Cost-control rows of `npm run bench` (issue 17). The routing-only row's mock answers `gpt-4o-mini` behind a plain
// URL target, which has no price (openai-compatible), so that row costs nothing; these rows price it (`pricing:`), add
// a budget, or answer every request but the first from the response cache (in memory), also on a route whose answer
// guardrails run again on every hit. The summary gives the cache hit's ratios to the proxied request of the same run.
import { formatTable, type Row } from './benchSummary';
import type { Scenario } from './gateway-bench';

export const SPEND_ROWS = {
  routing: 'gateway, routing only',
  priced: 'gateway, cost accounting (priced model)',
  budget: 'gateway, budget + cost accounting',
  hit: 'gateway, cache hit (in memory)',
  guardedHit: 'gateway, cache hit + PII redaction on the answer',
};

type GatewayScenario = (name: string, routesYaml: (mockUrl: string) => string, extraYaml?: string) => Scenario;

const route = (extra: string) => (mockUrl: string) => `  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mockUrl}${extra} }`;
/** The cache hit row's route and pricing (also run with gateway.workers: 2, in gateway-bench.ts). */
export const CACHED_ROUTE = route(', cache: { by: route }');
export const PRICED = 'pricing:\n  openai-compatible:\n    gpt-4o-mini: { input: 0.15, output: 0.6 }\n';

export function spendScenarios(gatewayScenario: GatewayScenario): Scenario[] {
  const priced = PRICED;
  const budget = 'security:\n  - endpoint: /v1/chat/completions\n    auth: none\n    budget: { usd: 1000000/day, by: route }\n';
  const redactAnswers = ', guardrails: { response: [{ pii: { action: redact, kinds: [email, phone, credit-card, iban, ip, secret] } }] }';
  return [
    gatewayScenario(SPEND_ROWS.priced, route(''), priced),
    gatewayScenario(SPEND_ROWS.budget, route(''), priced + budget),
    gatewayScenario(SPEND_ROWS.hit, CACHED_ROUTE, priced),
    gatewayScenario(SPEND_ROWS.guardedHit, route(`, cache: { by: route }${redactAnswers}`), priced),
  ];
}

/**
 * The rows' ratios to the proxied request: rps (higher is better for a hit), CPU per request of the gateway, and the
 * time of one request on one connection (`directMs`, the mock's own, added back to each row's added time).
 */
export function printSpendSummary(rows: Row[], directMs: number): void {
  const row = (name: string): Row | undefined => rows.find((candidate) => candidate.name === name);
  const proxied = row(SPEND_ROWS.routing);
  if (!proxied) return;
  const ratios = (name: string): string[] => {
    const measured = row(name);
    if (!measured) return [name, '-', '-', '-'];
    const rounds = (measured.roundRps ?? []).map((rps, i) => (rps / (proxied.roundRps?.[i] ?? Number.NaN)).toFixed(2));
    const cpu = measured.cpuUsPerRequest && proxied.cpuUsPerRequest ? `${(measured.cpuUsPerRequest / proxied.cpuUsPerRequest).toFixed(2)}x` : '-';
    const sequential = (measured.sequentialMs + directMs) / (proxied.sequentialMs + directMs);
    return [name, `${(measured.rps / proxied.rps).toFixed(2)}x (rounds ${rounds.join(' ')})`, cpu, `${sequential.toFixed(2)}x`];
  };
  const lines = [SPEND_ROWS.priced, SPEND_ROWS.budget, SPEND_ROWS.hit, SPEND_ROWS.guardedHit].filter((name) => row(name)).map(ratios);
  if (lines.length === 0) return; // a BENCH_ONLY run without these rows
  process.stdout.write(
    `\nCost control, each row over "${SPEND_ROWS.routing}" (the proxied request, unpriced) in this run:\n${formatTable(
      ['row', 'rps', 'CPU/req', 'time of one request'],
      lines,
    )}\n`,
  );
}
