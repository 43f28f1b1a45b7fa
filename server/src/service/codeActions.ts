// Quick fixes from the diagnostics' data (add a security rule, create the missing route, did-you-mean for keys,
// enum values and endpoints, plaintext secret -> env var) and the `target` -> `targets` rewrite. Each edit is written
// in the style of the text around it (block or inline, quoted or plain), so the result parses; a fix that would
// clash with what is already there (a key the mapping has, an endpoint another rule has) is not offered.
import { isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { findPair, pathShape } from '../../../common/src/config';
import type { GatewayAnalysis } from './analysis';
import { nodeAtOffset, rangeOfPair } from './yamlNodes';
import { appendItem, scalarLike } from './yamlText';

/** `Diagnostic.data` as the config model fills it (`path` is the route's path for route.unprotected). */
interface DiagnosticData {
  path?: string;
  suggestion?: string;
  endpoint?: string;
  route?: string;
  kind?: string;
  /** secret.plaintextHeader: the header and the variable to read it from. */
  header?: string;
  variable?: string;
}

function action(document: TextDocument, title: string, edits: TextEdit[], diagnostic?: Diagnostic, kind: string = CodeActionKind.QuickFix): CodeAction {
  return { title, kind, ...(diagnostic ? { diagnostics: [diagnostic], isPreferred: true } : {}), edit: { changes: { [document.uri]: edits } } };
}

/** An action that adds `item` to the top-level list `key`, when the list has a shape an item can be added to. */
function appendAction(document: TextDocument, analysis: GatewayAnalysis, title: string, key: string, item: Record<string, unknown>, d?: Diagnostic) {
  const edit = appendItem(document, analysis.result.document.contents, key, item);
  return edit ? [action(document, title, [edit], d)] : [];
}

const envNameFor = (words: string): string =>
  words
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '') || 'SECRET';

interface Located {
  node: Node;
  pair?: Pair<Node, Node>;
  /** The mapping that holds the pair. */
  map?: YAMLMap;
}

function locate(document: TextDocument, analysis: GatewayAnalysis, range: Range): Located | undefined {
  const found = nodeAtOffset(analysis.result.document.contents, document.offsetAt(range.start));
  if (!found) return undefined;
  const owner = found.onKey ? found.ancestors[found.ancestors.length - 1] : found.ancestors[found.ancestors.length - 2];
  return { node: found.node, ...(found.pair ? { pair: found.pair } : {}), ...(isMap(owner) ? { map: owner } : {}) };
}

/** Replaces the scalar at the diagnostic with `value`, quoted as the scalar was (or as it must be). */
function replaceScalar(document: TextDocument, analysis: GatewayAnalysis, d: Diagnostic, value: string, quoted = false): TextEdit | undefined {
  const found = locate(document, analysis, d.range);
  if (!found || !isScalar(found.node) || !found.node.range) return undefined;
  const [start, end] = found.node.range;
  const text = quoted && found.node.type !== 'QUOTE_SINGLE' ? JSON.stringify(value) : scalarLike(found.node, value);
  return { range: { start: document.positionAt(start), end: document.positionAt(end) }, newText: text };
}

function unprotectedFixes(document: TextDocument, analysis: GatewayAnalysis, d: Diagnostic, data: DiagnosticData): CodeAction[] {
  const routePath = String(data.path);
  const keyEnv = `${envNameFor(data.route ?? 'route')}_KEY`;
  const apiKey = { endpoint: routePath, auth: 'api-key', apiKeys: [{ name: data.route ?? 'client', keyEnv }], rateLimit: '60/min' };
  return [
    ...appendAction(document, analysis, `Add an api-key security rule for ${routePath} (its key in the environment variable ${keyEnv})`, 'security', apiKey, d),
    ...appendAction(document, analysis, `Make ${routePath} public explicitly (auth: none)`, 'security', { endpoint: routePath, auth: 'none' }, d),
  ];
}

function endpointFixes(document: TextDocument, analysis: GatewayAnalysis, d: Diagnostic, data: DiagnosticData): CodeAction[] {
  const out: CodeAction[] = [];
  const at = document.offsetAt(d.range.start);
  const rule = analysis.security.find((s) => s.item.range && s.item.range[0] <= at && at <= s.item.range[1]);
  const methods = rule && isMap(rule.item) ? JSON.stringify(findPair(rule.item, 'methods')?.value ?? null) : 'null';
  // Another rule for the suggested endpoint (and the same methods) would make this one its duplicate.
  const taken = (endpoint: string) =>
    analysis.security.some(
      (s) => s !== rule && s.endpoint === endpoint && JSON.stringify(isMap(s.item) ? (findPair(s.item, 'methods')?.value ?? null) : null) === methods,
    );
  if (data.suggestion && !taken(data.suggestion)) {
    const edit = replaceScalar(document, analysis, d, data.suggestion);
    if (edit) out.push(action(document, `Change to "${data.suggestion}"`, [edit], d));
  }
  // A route of the same shape (`/v1/:name` for `/v1/:id`) would make the new one its duplicate.
  const endpoint = data.endpoint;
  if (endpoint && !analysis.routes.some((r) => r.path !== undefined && pathShape(r.path) === pathShape(endpoint))) {
    const title = `Create a route for ${endpoint}`;
    out.push(...appendAction(document, analysis, title, 'routes', { path: endpoint, target: 'mock://openai' }, data.suggestion ? undefined : d));
  }
  return out;
}

function renameKeyFix(document: TextDocument, analysis: GatewayAnalysis, d: Diagnostic, suggestion: string): CodeAction[] {
  const found = locate(document, analysis, d.range);
  if (!found?.map || findPair(found.map, suggestion)) return [];
  const edit = replaceScalar(document, analysis, d, suggestion);
  return edit ? [action(document, `Change to "${suggestion}"`, [edit], d)] : [];
}

function plaintextSecretFix(document: TextDocument, analysis: GatewayAnalysis, d: Diagnostic, data: DiagnosticData): CodeAction[] {
  const found = locate(document, analysis, d.range);
  const range = found?.pair ? rangeOfPair(document, found.pair) : undefined;
  if (!found?.map || !range) return [];
  const jwt = data.kind === 'jwt';
  const key = jwt ? 'secretEnv' : 'keyEnv';
  if (findPair(found.map, key)) return [];
  const owner = findPair(found.map, 'name')?.value;
  const name = jwt ? 'JWT_SECRET' : `${envNameFor(isScalar(owner) ? String(owner.value) : 'api')}_KEY`;
  return [action(document, `Move the secret to the environment variable ${name} (${key})`, [{ range, newText: `${key}: ${name}` }], d)];
}

function fixesFor(document: TextDocument, analysis: GatewayAnalysis, d: Diagnostic): CodeAction[] {
  const data = (d.data ?? {}) as DiagnosticData;
  switch (d.code) {
    case 'route.unprotected':
      return unprotectedFixes(document, analysis, d, data);
    case 'security.unknownEndpoint':
      return endpointFixes(document, analysis, d, data);
    case 'schema.unknownKey':
      return data.suggestion ? renameKeyFix(document, analysis, d, data.suggestion) : [];
    case 'schema.enum':
    case 'target.unknownMock':
    case 'provider.wrongMock':
    case 'provider.unknownModel': {
      const edit = data.suggestion ? replaceScalar(document, analysis, d, data.suggestion) : undefined;
      return edit ? [action(document, `Change to "${data.suggestion}"`, [edit], d)] : [];
    }
    case 'secret.plaintext':
      return plaintextSecretFix(document, analysis, d, data);
    case 'secret.plaintextHeader': {
      // Quoted whatever the scalar was: `${...}` is not a plain scalar inside a flow mapping.
      const edit = data.variable ? replaceScalar(document, analysis, d, `\${${data.variable}}`, true) : undefined;
      return edit ? [action(document, `Read the ${data.header ?? 'header'} value from the environment variable ${data.variable}`, [edit], d)] : [];
    }
    default:
      return [];
  }
}

/** `target: URL` -> `targets: [URL]`, offered anywhere on a route's `target` pair; inline routes stay inline. */
function targetToTargets(document: TextDocument, analysis: GatewayAnalysis, range: Range): CodeAction[] {
  const found = nodeAtOffset(analysis.result.document.contents, document.offsetAt(range.start));
  if (!found || found.path[0] !== 'routes' || found.path[2] !== 'target' || found.path.length !== 3 || !found.pair) return [];
  const route = found.ancestors[2];
  if (!isMap(route) || findPair(route, 'targets')) return [];
  const pairRange = rangeOfPair(document, found.pair);
  const value = found.pair.value;
  if (!pairRange || !value?.range) return [];
  // The URL's own text, quotes and all.
  const url = document.getText().slice(value.range[0], value.range[1]);
  const indent = ' '.repeat(pairRange.start.character);
  const newText = route.flow ? `targets: [ { url: ${url} } ]` : `targets:\n${indent}  - url: ${url}`;
  return [action(document, 'Convert target to targets (to add more backends)', [{ range: pairRange, newText }], undefined, CodeActionKind.RefactorRewrite)];
}

export function codeActions(document: TextDocument, range: Range, diagnostics: Diagnostic[], analysis: GatewayAnalysis): CodeAction[] {
  return [...diagnostics.flatMap((d) => fixesFor(document, analysis, d)), ...targetToTargets(document, analysis, range)];
}
