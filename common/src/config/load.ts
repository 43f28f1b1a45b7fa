import { open } from 'node:fs/promises';
import * as path from 'node:path';
import type { Document, LineCounter } from 'yaml';
import type { CheckMemo } from './checkMemo';
import { interpolate } from './env';
import { normalizeConfig } from './normalize';
import { plaintextHeaderFindings } from './providerRules';
import { envReferences, semanticFindings } from './rules';
import { schemaDiagnostics } from './schemaCheck';
import type { Diagnostic, GatewayConfig } from './types';
import { runSteps, type Steps } from './steps';
import { yamlToData } from './yamlData';
import { duplicateKeys, parseYaml, parseYamlSteps, rangeAt, type ParsedYaml } from './yamlSource';

/**
 * The largest config the gateway loads (the file at start and on reload, an admin API body). A config of 2,000
 * routes is about 0.5 MB; a Kubernetes ConfigMap holds at most 1 MiB.
 */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/**
 * Schema problems located and listed for one document, at most (each is found in the source by its path, and one
 * file can hold a problem per key); past it, one diagnostic says how many more there are.
 */
export const MAX_SCHEMA_DIAGNOSTICS = 200;

export interface LoadOptions {
  /** Environment for `${VAR}`, `secretEnv` and `keyEnv`; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** 'editor': unset env vars are warnings. 'start': they are errors (the gateway cannot run without them). */
  mode?: 'editor' | 'start';
  /** Directory that relative file paths (tls.cert, jwt.publicKeyFile, ca) resolve against. */
  baseDir?: string;
  /** Kept by an editor across versions of one document, so a re-parse after an edit only re-parses what changed. */
  parseCache?: { parse(text: string): ParsedYaml; parseSteps(text: string): Steps<ParsedYaml> };
  /** Kept by an editor with its parse cache, so a check after an edit re-uses what it found in the items left alone. */
  memo?: CheckMemo;
}

export interface LoadResult {
  /** Present when there is no error diagnostic. */
  config?: GatewayConfig;
  diagnostics: Diagnostic[];
  document: Document.Parsed;
  lineCounter: LineCounter;
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

/** Everything `loadConfig` finds out before it builds the typed config: the diagnostics and the data it would build it from. */
export interface CheckedConfig {
  diagnostics: Diagnostic[];
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** The interpolated raw data, present when there is no error diagnostic (then `normalizeConfig` accepts it). */
  valid?: { data: unknown };
}

export function checkConfig(text: string, options: LoadOptions = {}): CheckedConfig {
  return runSteps(checkConfigSteps(text, options, false));
}

/**
 * `checkConfig` in steps: the parse in slices of tokens (or of list items, for a large document an editor has not
 * parsed before), then expansion, schema and rules one step each. An editor runs it between other requests.
 */
export function* checkConfigSteps(text: string, options: LoadOptions = {}, sliced = true): Steps<CheckedConfig> {
  const bytes = text.length > MAX_CONFIG_BYTES / 4 ? Buffer.byteLength(text, 'utf8') : text.length;
  if (bytes > MAX_CONFIG_BYTES) {
    const { document, lineCounter } = parseYaml('');
    return { diagnostics: [tooLarge(bytes)], document, lineCounter };
  }
  const env = options.env ?? process.env;
  const mode = options.mode ?? 'editor';
  const cache = options.parseCache;
  const memo = options.memo;
  const parsed = sliced ? yield* cache ? cache.parseSteps(text) : parseYamlSteps(text) : cache ? cache.parse(text) : parseYaml(text);
  const { document, lineCounter } = parsed;
  const diagnostics: Diagnostic[] = [...parsed.syntax, ...duplicateKeys(parsed, memo)];
  let unlisted = 0; // schema errors past the cap, counted but not located
  const at = (p: (string | number)[], onKey = false) => rangeAt(parsed, p, onKey);

  if (!diagnostics.some((d) => d.severity === 'error')) {
    yield;
    const expanded = yamlToData(document, undefined, memo);
    yield;
    if (!expanded.ok) {
      diagnostics.push({ range: at([]), severity: 'error', code: 'yaml.aliases', message: `The document cannot be expanded: ${expanded.error}.`, path: [] });
    } else {
      const raw = expanded.data;
      // An empty file is a config with no routes yet: the gateway starts and answers 404.
      const { data, unset } = interpolate(raw ?? {}, env, memo?.withoutVariables);
      const unsetSeverity = mode === 'start' ? 'error' : 'warning';
      for (const u of unset) {
        diagnostics.push({
          range: at(u.path),
          severity: unsetSeverity,
          code: 'env.unset',
          message: `Environment variable ${u.name} is not set.`,
          path: u.path,
          data: { name: u.name },
        });
      }
      for (const ref of envReferences(data as Record<string, unknown>)) {
        if (env[ref.name] === undefined || env[ref.name] === '') {
          diagnostics.push({
            range: at(ref.path),
            severity: unsetSeverity,
            code: 'env.unset',
            message: `Environment variable ${ref.name} is not set${ref.because ? ` (${ref.because})` : ''}.`,
            path: ref.path,
            data: { name: ref.name },
          });
        }
      }
      yield;
      const { diagnostics: schema, omitted } = schemaDiagnostics(data, parsed, MAX_SCHEMA_DIAGNOSTICS, memo?.schema);
      diagnostics.push(...schema);
      unlisted += omitted;
      yield;
      // A value the schema already refused gets one message, not a second one from the rules.
      const refused = new Set(schema.map((d) => JSON.stringify(d.path)));
      for (const f of [...semanticFindings(data, env, memo?.rules), ...plaintextHeaderFindings(raw)]) {
        if (refused.has(JSON.stringify(f.path))) continue;
        diagnostics.push({
          range: at(f.path, f.onKey),
          severity: f.severity,
          code: f.code,
          message: f.message,
          path: f.path,
          ...(f.data ? { data: f.data } : {}),
        });
      }
      if (!diagnostics.some((d) => d.severity === 'error')) {
        return { diagnostics: capped(diagnostics.sort(byPosition), unlisted), document, lineCounter, valid: { data } };
      }
    }
  }
  return { diagnostics: capped(diagnostics.sort(byPosition), unlisted), document, lineCounter };
}

function tooLarge(bytes: number): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
    severity: 'error',
    code: 'config.tooLarge',
    message: `The config is ${bytes} bytes, more than the ${MAX_CONFIG_BYTES} bytes (${MAX_CONFIG_BYTES / 1024 / 1024} MiB) the gateway loads.`,
    path: [],
  };
}

/** With the schema problems past MAX_SCHEMA_DIAGNOSTICS counted in one error, after the last one listed. */
function capped(diagnostics: Diagnostic[], unlisted: number): Diagnostic[] {
  if (unlisted === 0) return diagnostics;
  const lastListed = diagnostics.filter((d) => d.code.startsWith('schema.')).at(-1);
  const range = lastListed?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  const more: Diagnostic = {
    range,
    severity: 'error',
    code: 'config.moreDiagnostics',
    message: `${unlisted} more problem(s) after this one are not listed.`,
    path: [],
  };
  // A stable sort keeps it right after the diagnostics at the same place.
  return [...diagnostics, more].sort(byPosition);
}

export function loadConfig(text: string, options: LoadOptions = {}): LoadResult {
  const { valid, ...checked } = checkConfig(text, options);
  if (!valid) return checked;
  return { config: normalizeConfig(valid.data, options.env ?? process.env, options.baseDir ?? process.cwd()), ...checked };
}

/** A config file's text, or why it is not read: one larger than MAX_CONFIG_BYTES is refused before it is read. */
export async function readConfigFile(file: string): Promise<{ text: string } | { tooLarge: Diagnostic }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > MAX_CONFIG_BYTES) return { tooLarge: tooLarge(size) };
    return { text: await handle.readFile('utf8') };
  } finally {
    await handle.close();
  }
}

export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<LoadResult & { text: string }> {
  const read = await readConfigFile(file);
  if ('tooLarge' in read) {
    const { document, lineCounter } = parseYaml('');
    return { diagnostics: [read.tooLarge], document, lineCounter, text: '' };
  }
  return { ...loadConfig(read.text, { baseDir: path.dirname(path.resolve(file)), ...options }), text: read.text };
}

/** `FILE:LINE:COL: severity: message [code]`, the format `validate` prints (1-based line and column). */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message} [${d.code}]`;
}
