// What the extension shows of a gateway document (routes view, CodeLens, Testing view): the routes as the config
// model normalizes them, with their source ranges, and the listen address. Built from the version's analysis, also
// while the document has errors (each route entry is then read as far as it goes), and kept with that analysis.
import { isSeq, type Node } from 'yaml';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { findPair, interpolate, MAX_ALIAS_COUNT, normalizeConfig, redactUrl, type GatewayConfig, type RouteConfig } from '../../../common/src/config';
import type { Lsp } from '../../../common/src/protocol';
import type { GatewayAnalysis, RouteEntry } from './analysis';
import { rangeOfNode } from './yamlNodes';

type Env = Record<string, string | undefined>;

/** One model per analysis (so per document version): every view asking after an edit gets the same answer. */
const models = new WeakMap<GatewayAnalysis, Lsp.DocumentModel>();

export function documentModel(document: TextDocument, analysis: GatewayAnalysis, env: Env): Lsp.DocumentModel {
  let model = models.get(analysis);
  if (!model) {
    model = buildModel(document, analysis, env);
    models.set(analysis, model);
  }
  return model;
}

function buildModel(document: TextDocument, analysis: GatewayAnalysis, env: Env): Lsp.DocumentModel {
  const config = analysis.result.config ?? readAsFarAsItGoes(analysis, env);
  const errors = errorsPerRoute(document, analysis);
  const routes = analysis.routes.flatMap((entry) => {
    const route = config.routes[entry.index];
    return route ? [lspRoute(document, entry, route, errors[entry.index] ?? 0)] : [];
  });
  return { uri: document.uri, version: analysis.version, listen: { host: config.gateway.host, port: config.gateway.port }, routes };
}

/** A YAML node's data with `${VAR}` expanded; undefined when it cannot be expanded (an alias bomb is a diagnostic already). */
function dataOf(analysis: GatewayAnalysis, node: unknown, env: Env): unknown {
  if (!node || typeof (node as Node).toJS !== 'function') return undefined;
  try {
    return interpolate((node as Node).toJS(analysis.result.document, { maxAliasCount: MAX_ALIAS_COUNT }), env).data;
  } catch {
    return undefined;
  }
}

/** The typed config of a document that did not validate, from its `gateway:` and each route entry on its own. */
function readAsFarAsItGoes(analysis: GatewayAnalysis, env: Env): Pick<GatewayConfig, 'gateway' | 'routes'> {
  const gateway = dataOf(analysis, findPair(analysis.result.document.contents, 'gateway')?.value, env);
  const routes = analysis.routes.map((entry) => ({ ...asObject(dataOf(analysis, entry.item, env)), name: entry.name }));
  // The normalizer reads only what it expects and defaults the rest, so a half-written entry cannot make it throw.
  // (The base directory only resolves file paths, which the model does not carry.)
  return normalizeConfig({ gateway, routes }, env, '/');
}

const asObject = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

const textRecord = (value: unknown): Record<string, string> | undefined => {
  if (value === undefined) return undefined;
  const entries = Object.entries(asObject(value)).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v));
  return Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
};

/** The fields the extension reads, with what an entry with errors may lack (a URL, a test's name) left out. */
function lspRoute(document: TextDocument, entry: RouteEntry, route: RouteConfig, errors: number): Lsp.Route {
  const testNodes = findPair(entry.item, 'tests')?.value;
  const testItems = isSeq(testNodes) ? (testNodes.items as (Node | null)[]) : [];
  const tests = route.tests.flatMap((test, i) => {
    const range = rangeOfNode(document, testItems[i]);
    if (typeof test.name !== 'string' || !range) return [];
    const headers = textRecord(test.headers);
    return [{ test: { ...test, expect: asObject(test.expect), ...(headers ? { headers } : {}) }, range }];
  });
  const example = route.example && { ...route.example, ...(route.example.headers ? { headers: textRecord(route.example.headers) } : {}) };
  return {
    index: entry.index,
    name: route.name,
    path: typeof route.path === 'string' ? route.path : '',
    ...(route.methods ? { methods: route.methods } : {}),
    ...(route.match ? { match: route.match } : {}),
    // As the gateway shows a target everywhere: without the URL's credentials.
    targets: route.targets
      .filter((t) => typeof t.url === 'string')
      .map((t) => ({
        url: redactUrl(t.url),
        weight: t.weight,
        ...(t.provider ? { provider: t.provider.name, ...(t.provider.model !== undefined ? { model: t.provider.model } : {}) } : {}),
      })),
    ...(example ? { example } : {}),
    tests: tests.map((t) => t.test),
    range: entry.itemRange,
    testRanges: tests.map((t) => t.range),
    errors,
  };
}

/** How many error diagnostics start inside each route entry (entries are in text order, so a binary search finds it). */
function errorsPerRoute(document: TextDocument, analysis: GatewayAnalysis): number[] {
  const counts = analysis.routes.map(() => 0);
  const starts = analysis.routes.map((r) => document.offsetAt(r.itemRange.start));
  const ends = analysis.routes.map((r) => document.offsetAt(r.itemRange.end));
  for (const d of analysis.result.diagnostics) {
    if (d.severity !== 'error') continue;
    const at = document.offsetAt(d.range.start);
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if ((starts[mid] as number) <= at) low = mid;
      else high = mid - 1;
    }
    if ((starts[low] ?? Infinity) <= at && at <= (ends[low] ?? -1)) counts[low] = (counts[low] ?? 0) + 1;
  }
  return counts;
}
