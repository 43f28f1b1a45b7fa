// One analysis per document version: the config model's result (diagnostics exactly as `ai-gateway-cli validate`
// prints them) plus an index of routes and security rules with their source ranges, shared by every feature.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Range } from 'vscode-languageserver';
import { checkConfig, type CheckedConfig, type GatewayConfig, type LoadResult } from '../../../common/src/config';
import { normalizeConfig, routeNames } from '../../../common/src/config';
import { YamlParseCache } from '../../../common/src/config';
import { findPair } from '../../../common/src/config';
import { rangeOfNode } from './yamlNodes';

export interface RouteEntry {
  index: number;
  name: string;
  /** The `name:` value, when the route names itself. */
  nameNode?: Node;
  path?: string;
  pathNode?: Node | null;
  item: Node;
  itemRange: Range;
}

export interface SecurityEntry {
  index: number;
  endpoint?: string;
  endpointNode?: Node | null;
  item: Node;
  itemRange: Range;
}

export interface GatewayAnalysis {
  version: number;
  text: string;
  result: LoadResult;
  routes: RouteEntry[];
  security: SecurityEntry[];
  /** How long `loadConfig` took. */
  loadMs: number;
  /** Set when the text is beyond what is validated while typing; the analysis is then of an empty config. */
  tooLarge?: { bytes: number };
}

/** Gateway configs are kilobytes; a file beyond this is not re-validated on every keystroke (the CLI still can). */
export const MAX_LIVE_DOCUMENT_CHARS = 4 * 1024 * 1024;

export interface AnalysisOptions {
  env: Record<string, string | undefined>;
  baseDir?: string;
}

const scalarText = (node: Node | null | undefined): string | undefined =>
  isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value) : undefined;

function sequenceItems(result: LoadResult, key: string): Node[] {
  const value = findPair(result.document.contents, key)?.value;
  return isSeq(value) ? (value.items as Node[]).filter((item) => item?.range) : [];
}

function indexRoutes(document: TextDocument, result: LoadResult): RouteEntry[] {
  const items = sequenceItems(result, 'routes');
  const raw = items.map((item) =>
    isMap(item) ? { name: scalarText(findPair(item, 'name')?.value as Node), path: scalarText(findPair(item, 'path')?.value as Node) } : {},
  );
  const names = routeNames(raw.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))));
  return items.map((item, index) => {
    const namePair = findPair(item, 'name');
    const pathPair = findPair(item, 'path');
    const path = scalarText(pathPair?.value);
    return {
      index,
      item,
      name: names[index] as string,
      itemRange: rangeOfNode(document, item) as Range,
      ...(isScalar(namePair?.value) ? { nameNode: namePair.value } : {}),
      ...(path !== undefined && pathPair ? { path, pathNode: pathPair.value } : {}),
    };
  });
}

function indexSecurity(document: TextDocument, result: LoadResult): SecurityEntry[] {
  return sequenceItems(result, 'security').map((item, index) => {
    const endpointPair = findPair(item, 'endpoint');
    const endpoint = scalarText(endpointPair?.value);
    return {
      index,
      item,
      itemRange: rangeOfNode(document, item) as Range,
      ...(endpoint !== undefined && endpointPair ? { endpoint, endpointNode: endpointPair.value } : {}),
    };
  });
}

/**
 * `loadConfig`'s result, with the typed config built when a feature first reads it (hover does) rather than
 * before the diagnostics are published: same values, since it is built from the same data, env and directory.
 */
function lazyLoadResult(checked: CheckedConfig, env: Record<string, string | undefined>, baseDir: string): LoadResult {
  const { valid, ...result } = checked;
  if (!valid) return result;
  let config: GatewayConfig | undefined;
  return Object.defineProperty(result, 'config', {
    enumerable: true,
    get: () => (config ??= normalizeConfig(valid.data, env, baseDir)),
  });
}

/** Keeps the last analysis of each document and the parse cache that makes the next one incremental. */
export class AnalysisCache {
  private readonly analyses = new Map<string, GatewayAnalysis>();
  private readonly parseCaches = new Map<string, YamlParseCache>();

  constructor(private readonly options: () => AnalysisOptions) {}

  get(document: TextDocument): GatewayAnalysis {
    const known = this.analyses.get(document.uri);
    if (known && known.version === document.version && known.text.length === document.getText().length) return known;
    const parseCache = this.parseCaches.get(document.uri) ?? new YamlParseCache();
    this.parseCaches.set(document.uri, parseCache);
    const text = document.getText();
    const tooLarge = text.length > MAX_LIVE_DOCUMENT_CHARS;
    const started = performance.now();
    const { env, baseDir } = this.options();
    const result = lazyLoadResult(checkConfig(tooLarge ? '' : text, { env, mode: 'editor', parseCache }), env, baseDir ?? process.cwd());
    // The indexes wait for the first feature that reads them, so an open publishes its diagnostics without them.
    // (A newer version's incremental parse moves this version's nodes, but it also replaces this analysis.)
    // A document whose aliases cannot be expanded has no routes to speak of (and may hold 100,000 aliased items).
    const expanded = !result.diagnostics.some((d) => d.code === 'yaml.aliases');
    let routes: RouteEntry[] | undefined = expanded ? undefined : [];
    let security: SecurityEntry[] | undefined = expanded ? undefined : [];
    const analysis: GatewayAnalysis = {
      version: document.version,
      text,
      result,
      loadMs: performance.now() - started,
      ...(tooLarge ? { tooLarge: { bytes: text.length } } : {}),
      get routes() {
        return (routes ??= indexRoutes(document, result));
      },
      get security() {
        return (security ??= indexSecurity(document, result));
      },
    };
    this.analyses.set(document.uri, analysis);
    return analysis;
  }

  /** The last analysis, even of an older version (for completion while typing: names and paths barely change). */
  latest(uri: string): GatewayAnalysis | undefined {
    return this.analyses.get(uri);
  }

  forget(uri: string): void {
    this.analyses.delete(uri);
    this.parseCaches.delete(uri);
  }
}
