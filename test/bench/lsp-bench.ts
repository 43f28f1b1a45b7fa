// `npm run bench:lsp`: our language server against yaml-language-server (given our schema) over stdio, on the same
// generated 2,000-route config (about 24,000 lines), in one run. Prints open-to-diagnostics, edit-to-diagnostics,
// completion and hover latency for each, and the ratios (ours / theirs; the goals are <= 0.5, 0.2, 0.1).
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../support/cli';
import { generatedConfig } from '../server/generatedConfig';
import { LspClient, ourServerCommand, yamlLanguageServerCommand } from '../server/lspClient';

const ROUTES = Number(process.env.BENCH_ROUTES ?? 2000);
const EDITS = 5;
const REQUESTS = 20;

interface Figures { open: number; edit: number; completion: number; hover: number }

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Line and character of the first occurrence of `needle` at or after line `from`. */
function locate(lines: string[], needle: string, from: number): { line: number; character: number } {
  for (let line = from; line < lines.length; line++) {
    const character = (lines[line] as string).indexOf(needle);
    if (character >= 0) return { line, character };
  }
  throw new Error(`"${needle}" is not in the generated config`);
}

async function measure(name: string, client: LspClient, uri: string, text: string): Promise<Figures> {
  const lines = text.split('\n');
  const middle = Math.floor(lines.length / 4);
  let started = performance.now();
  await client.open(uri, text);
  await client.nextDiagnostics(uri);
  const open = performance.now() - started;

  // An edit in the middle of the routes: a route name grows by one character, then shrinks back.
  const nameAt = locate(lines, 'name: route-', middle);
  const edits: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const at = { line: nameAt.line, character: (lines[nameAt.line] as string).length + (i % 2) };
    const change = i % 2 === 0 ? { range: { start: at, end: at }, text: 'x' } : { range: { start: { ...at, character: at.character - 1 }, end: at }, text: '' };
    client.discardDiagnostics();
    started = performance.now();
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 + i }, contentChanges: [change] });
    await client.nextDiagnostics(uri);
    edits.push(performance.now() - started);
  }

  // Completion of keys at the start of a route's `timeout:` line, hover on a route's `retries` key.
  const keyAt = locate(lines, 'timeout: 30s', middle);
  const hoverAt = locate(lines, 'retries: 2', middle);
  const completions: number[] = [];
  const hovers: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    started = performance.now();
    await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: keyAt.line, character: keyAt.character } });
    completions.push(performance.now() - started);
    started = performance.now();
    await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: hoverAt.line, character: hoverAt.character + 2 } });
    hovers.push(performance.now() - started);
  }
  const figures = { open, edit: median(edits), completion: median(completions), hover: median(hovers) };
  console.log(`${name.padEnd(22)} open ${figures.open.toFixed(0).padStart(6)} ms   edit ${figures.edit.toFixed(0).padStart(6)} ms   completion ${figures.completion.toFixed(1).padStart(7)} ms   hover ${figures.hover.toFixed(1).padStart(7)} ms`);
  return figures;
}

async function main(): Promise<void> {
  const text = generatedConfig(ROUTES);
  const file = path.join(repoRoot, 'bench.gateway.yaml'); // never written: the servers get the text over LSP
  const uri = pathToFileURL(file).toString();
  const schemaUri = pathToFileURL(path.join(repoRoot, 'schemas/gateway.schema.json')).toString();
  console.log(`bench:lsp: ${ROUTES} routes, ${text.split('\n').length} lines; medians of ${EDITS} edits and ${REQUESTS} requests`);

  const ours = new LspClient(ourServerCommand());
  await ours.initialize();
  const oursFigures = await measure('ai-gateway server', ours, uri, text);
  await ours.shutdown();

  const yamlSettings = { yaml: { schemas: { [schemaUri]: ['*.gateway.yaml'] }, validate: true, completion: true, hover: true, format: { enable: false } } };
  const theirs = new LspClient(yamlLanguageServerCommand(), yamlSettings);
  await theirs.initialize();
  await theirs.connection.sendNotification('workspace/didChangeConfiguration', { settings: yamlSettings });
  const theirFigures = await measure('yaml-language-server', theirs, uri, text);
  await theirs.shutdown();

  const ratio = (k: keyof Figures, goal: number) => {
    const r = oursFigures[k] / theirFigures[k];
    return `${k} ${r.toFixed(3)}x (goal <= ${goal}x ${r <= goal ? 'met' : 'MISSED'})`;
  };
  console.log(`ratios (ours / yaml-language-server): ${ratio('open', 0.5)}, ${ratio('edit', 0.2)}, ${ratio('completion', 0.1)}, ${ratio('hover', 1)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
