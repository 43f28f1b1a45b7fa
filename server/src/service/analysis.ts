// One analysis per document version: the config model's result (diagnostics exactly as `ai-gateway-cli validate`
// prints them) plus an index of routes and security rules with their source ranges, shared by every feature.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Range } from 'vscode-languageserver';
import { checkConfigSteps, runSteps, type CheckedConfig, type GatewayConfig, type LoadResult, type Steps } from '../../../common/src/config';
import { normalizeConfig, routeNames } from '../../../common/src/config';
import { findPair } from '../../../common/src/config';
import { DocumentChecks } from './documentChecks';
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

interface InFlight {
  version: number;
  length: number;
  steps: Steps<GatewayAnalysis>;
}

const sameVersion = (a: { version: number; length: number }, document: TextDocument) =>
  a.version === document.version && a.length === document.getText().length;

/**
 * Keeps the last analysis of each document and the parse cache that makes the next one incremental. An analysis runs
 * at once (`get`, for a request that needs it now) or in steps between other work (`getInSteps`, for validation);
 * one started in steps and asked for at once is finished at once, and a newer version abandons an older one.
 */
export class AnalysisCache {
  private readonly analyses = new Map<string, GatewayAnalysis>();
  /** Per document: what makes the next version's check incremental. */
  private readonly checks = new Map<string, DocumentChecks>();
  private readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly options: () => AnalysisOptions) {}

  get(document: TextDocument): GatewayAnalysis {
    const known = this.analyses.get(document.uri);
    if (known && sameVersion({ version: known.version, length: known.text.length }, document)) return known;
    const flight = this.inFlight.get(document.uri);
    const steps = flight && sameVersion(flight, document) ? flight.steps : this.start(document, false);
    return runSteps(steps);
  }

  /**
   * The analysis of this version, run in steps with `pause` awaited between them (so other requests are answered);
   * undefined when a newer version replaced the document meanwhile.
   */
  async getInSteps(document: TextDocument, pause: () => Promise<void>): Promise<GatewayAnalysis | undefined> {
    const known = this.analyses.get(document.uri);
    if (known && sameVersion({ version: known.version, length: known.text.length }, document)) return known;
    const flight = this.inFlight.get(document.uri);
    const current = flight && sameVersion(flight, document) ? flight : undefined;
    const steps = current?.steps ?? this.start(document, true);
    const mine = this.inFlight.get(document.uri);
    for (;;) {
      // `get` may have finished it meanwhile, or a newer version taken its place.
      if (this.inFlight.get(document.uri) !== mine) {
        const done = this.analyses.get(document.uri);
        return done && done.version === document.version ? done : undefined;
      }
      const next = steps.next();
      if (next.done) return next.value;
      await pause();
    }
  }

  private start(document: TextDocument, inSteps: boolean): Steps<GatewayAnalysis> {
    this.inFlight.get(document.uri)?.steps.return(undefined as unknown as GatewayAnalysis);
    const steps = this.analyze(document, inSteps);
    this.inFlight.set(document.uri, { version: document.version, length: document.getText().length, steps });
    return steps;
  }

  private *analyze(document: TextDocument, inSteps: boolean): Steps<GatewayAnalysis> {
    const checks = this.checks.get(document.uri) ?? new DocumentChecks();
    this.checks.set(document.uri, checks);
    // The editor updates a document object in place: what is analyzed is the version and text of this moment.
    const { version } = document;
    const text = document.getText();
    const tooLarge = text.length > MAX_LIVE_DOCUMENT_CHARS;
    const { env, baseDir } = this.options();
    let loadMs = 0;
    const work = checkConfigSteps(tooLarge ? '' : text, { env, mode: 'editor', ...checks.options() }, inSteps);
    let checked: CheckedConfig;
    for (;;) {
      const started = performance.now();
      const next = work.next();
      loadMs += performance.now() - started;
      if (next.done) {
        checked = next.value;
        break;
      }
      yield;
    }
    const result = lazyLoadResult(checked, env, baseDir ?? process.cwd());
    // The indexes wait for the first feature that reads them, so an open publishes its diagnostics without them.
    // (A newer version's incremental parse moves this version's nodes, but it also replaces this analysis.)
    // A document whose aliases cannot be expanded has no routes to speak of (and may hold 100,000 aliased items).
    const expanded = !result.diagnostics.some((d) => d.code === 'yaml.aliases');
    let routes: RouteEntry[] | undefined = expanded ? undefined : [];
    let security: SecurityEntry[] | undefined = expanded ? undefined : [];
    const analysis: GatewayAnalysis = {
      version,
      text,
      result,
      loadMs,
      ...(tooLarge ? { tooLarge: { bytes: text.length } } : {}),
      get routes() {
        return (routes ??= indexRoutes(document, result));
      },
      get security() {
        return (security ??= indexSecurity(document, result));
      },
    };
    this.analyses.set(document.uri, analysis);
    this.inFlight.delete(document.uri);
    return analysis;
  }

  /**
   * After the first version's analysis, the work its first edit would otherwise do first (DocumentChecks), in steps
   * like an analysis; a newer version abandons it.
   */
  async prepareForEdits(document: TextDocument, pause: () => Promise<void>): Promise<void> {
    const known = this.analyses.get(document.uri);
    if (!known || known.tooLarge || !sameVersion({ version: known.version, length: known.text.length }, document)) return;
    const priming = this.checks.get(document.uri)?.primeSteps(known.text, this.options().env);
    if (!priming) return;
    // In flight as this version's analysis (which it gives when done), so that a newer version abandons it.
    const steps = (function* (): Steps<GatewayAnalysis> {
      yield* priming;
      return known;
    })();
    const mine: InFlight = { version: known.version, length: known.text.length, steps };
    this.inFlight.set(document.uri, mine);
    while (this.inFlight.get(document.uri) === mine && !steps.next().done) await pause();
    if (this.inFlight.get(document.uri) === mine) this.inFlight.delete(document.uri);
  }

  /** The last analysis, even of an older version (for completion while typing: names and paths barely change). */
  latest(uri: string): GatewayAnalysis | undefined {
    return this.analyses.get(uri);
  }

  forget(uri: string): void {
    this.inFlight.get(uri)?.steps.return(undefined as unknown as GatewayAnalysis);
    this.inFlight.delete(uri);
    this.analyses.delete(uri);
    this.checks.delete(uri);
  }
}
