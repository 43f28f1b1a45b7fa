// Quick fixes from the diagnostics' data (add a security rule, create the missing route, did-you-mean for keys,
// enum values and endpoints, plaintext secret -> env var) and the `target` -> `targets` rewrite.
import { isMap, isSeq, type Node, type Pair } from 'yaml';
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { findPair } from '../../../common/src/config';
import type { GatewayAnalysis } from './analysis';
import { nodeAtOffset, rangeOfPair } from './yamlNodes';

/** `Diagnostic.data` as the config model fills it (`path` is the route's path for route.unprotected). */
interface DiagnosticData {
  path?: string;
  suggestion?: string;
  endpoint?: string;
  route?: string;
  kind?: string;
}

function action(document: TextDocument, title: string, edits: TextEdit[], diagnostic?: Diagnostic, kind: string = CodeActionKind.QuickFix): CodeAction {
  return { title, kind, ...(diagnostic ? { diagnostics: [diagnostic], isPreferred: true } : {}), edit: { changes: { [document.uri]: edits } } };
}

/** An edit that adds one item (given as lines without indentation) at the end of a top-level sequence. */
export function appendItem(document: TextDocument, analysis: GatewayAnalysis, key: string, lines: string[]): TextEdit {
  const seq = findPair(analysis.result.document.contents, key)?.value;
  if (isSeq(seq) && seq.range && seq.items.length > 0) {
    const dash = ' '.repeat(document.positionAt(seq.range[0]).character);
    const end = document.positionAt(seq.range[1]);
    const body = lines.map((l, i) => `${dash}${i === 0 ? '- ' : '  '}${l}`).join('\n');
    return end.character === 0 ? { range: { start: end, end }, newText: `${body}\n` } : { range: { start: end, end }, newText: `\n${body}` };
  }
  const text = document.getText();
  const end = document.positionAt(text.length);
  const lead = text.length === 0 || text.endsWith('\n') ? '' : '\n';
  return { range: { start: end, end }, newText: `${lead}${key}:\n${lines.map((l, i) => `  ${i === 0 ? '- ' : '  '}${l}`).join('\n')}\n` };
}

const envNameFor = (words: string): string =>
  words
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '') || 'SECRET';

function pairAt(document: TextDocument, analysis: GatewayAnalysis, range: Range): Pair<Node, Node> | undefined {
  return nodeAtOffset(analysis.result.document.contents, document.offsetAt(range.start))?.pair;
}

function fixesFor(document: TextDocument, analysis: GatewayAnalysis, d: Diagnostic): CodeAction[] {
  const data = (d.data ?? {}) as DiagnosticData;
  switch (d.code) {
    case 'route.unprotected': {
      const routePath = String(data.path);
      const keyEnv = `${envNameFor(data.route ?? 'route')}_KEY`;
      return [
        action(
          document,
          `Add an api-key security rule for ${routePath}`,
          [
            appendItem(document, analysis, 'security', [
              `endpoint: ${routePath}`,
              'auth: api-key',
              'apiKeys:',
              `  - { name: ${data.route ?? 'client'}, keyEnv: ${keyEnv} }`,
              'rateLimit: 60/min',
            ]),
          ],
          d,
        ),
        action(
          document,
          `Make ${routePath} public explicitly (auth: none)`,
          [appendItem(document, analysis, 'security', [`endpoint: ${routePath}`, 'auth: none'])],
          d,
        ),
      ];
    }
    case 'security.unknownEndpoint': {
      const out: CodeAction[] = [];
      if (data.suggestion) out.push(action(document, `Change to "${data.suggestion}"`, [{ range: d.range, newText: data.suggestion }], d));
      if (data.endpoint)
        out.push(
          action(
            document,
            `Create a route for ${data.endpoint}`,
            [appendItem(document, analysis, 'routes', [`path: ${data.endpoint}`, 'target: mock://openai'])],
            data.suggestion ? undefined : d,
          ),
        );
      return out;
    }
    case 'schema.unknownKey':
    case 'schema.enum':
    case 'target.unknownMock':
      return data.suggestion ? [action(document, `Change to "${data.suggestion}"`, [{ range: d.range, newText: data.suggestion }], d)] : [];
    case 'secret.plaintext': {
      const pair = pairAt(document, analysis, d.range);
      const range = pair ? rangeOfPair(document, pair) : undefined;
      if (!range) return [];
      const name = data.kind === 'jwt' ? 'JWT_SECRET' : `${envNameFor(String(nameBeside(document, analysis, d.range) ?? 'api'))}_KEY`;
      const key = data.kind === 'jwt' ? 'secretEnv' : 'keyEnv';
      return [action(document, `Move the secret to the environment variable ${name} (${key})`, [{ range, newText: `${key}: ${name}` }], d)];
    }
    default:
      return [];
  }
}

/** The `name` of the API key whose plaintext `key` is at `range`, to name its variable after it. */
function nameBeside(document: TextDocument, analysis: GatewayAnalysis, range: Range): unknown {
  const found = nodeAtOffset(analysis.result.document.contents, document.offsetAt(range.start));
  const owner = found?.ancestors[found.ancestors.length - 1];
  const name = isMap(owner) ? findPair(owner, 'name')?.value : undefined;
  return name && typeof name === 'object' && 'value' in name ? (name as { value: unknown }).value : undefined;
}

/** `target: URL` -> `targets: [URL]`, offered anywhere on a route's `target` pair. */
function targetToTargets(document: TextDocument, analysis: GatewayAnalysis, range: Range): CodeAction[] {
  const found = nodeAtOffset(analysis.result.document.contents, document.offsetAt(range.start));
  if (!found || found.path[0] !== 'routes' || found.path[2] !== 'target' || found.path.length !== 3 || !found.pair) return [];
  const route = found.ancestors[2];
  if (isMap(route) && findPair(route, 'targets')) return [];
  const pairRange = rangeOfPair(document, found.pair);
  const url = (found.pair.value as { source?: string } | null)?.source ?? String((found.pair.value as { value?: unknown } | null)?.value ?? '');
  if (!pairRange) return [];
  const indent = ' '.repeat(pairRange.start.character);
  return [
    action(
      document,
      'Convert target to targets (to add more backends)',
      [{ range: pairRange, newText: `targets:\n${indent}  - url: ${url}` }],
      undefined,
      CodeActionKind.RefactorRewrite,
    ),
  ];
}

export function codeActions(document: TextDocument, range: Range, diagnostics: Diagnostic[], analysis: GatewayAnalysis): CodeAction[] {
  return [...diagnostics.flatMap((d) => fixesFor(document, analysis, d)), ...targetToTargets(document, analysis, range)];
}
