import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Document, LineCounter } from 'yaml';
import { interpolate } from './env';
import { normalizeConfig } from './normalize';
import { envReferences, semanticFindings } from './rules';
import { schemaDiagnostics } from './schemaCheck';
import type { Diagnostic, GatewayConfig } from './types';
import { runSteps, type Steps } from './steps';
import { MAX_ALIAS_COUNT, parseYaml, parseYamlSteps, rangeAt, type ParsedYaml } from './yamlSource';

export interface LoadOptions {
  /** Environment for `${VAR}`, `secretEnv` and `keyEnv`; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** 'editor': unset env vars are warnings. 'start': they are errors (the gateway cannot run without them). */
  mode?: 'editor' | 'start';
  /** Directory that relative file paths (tls.cert, jwt.publicKeyFile, ca) resolve against. */
  baseDir?: string;
  /** Kept by an editor across versions of one document, so a re-parse after an edit only re-parses what changed. */
  parseCache?: { parse(text: string): ParsedYaml; parseSteps(text: string): Steps<ParsedYaml> };
}

export interface LoadResult {
  /** Present when there is no error diagnostic. */
  config?: GatewayConfig;
  diagnostics: Diagnostic[];
  document: Document.Parsed;
  lineCounter: LineCounter;
}

function toData(document: Document.Parsed): { data: unknown; error?: string } {
  try {
    return { data: document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    return { data: undefined, error: err instanceof Error ? err.message : String(err) };
  }
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
  const env = options.env ?? process.env;
  const mode = options.mode ?? 'editor';
  const cache = options.parseCache;
  const parsed = sliced ? yield* cache ? cache.parseSteps(text) : parseYamlSteps(text) : cache ? cache.parse(text) : parseYaml(text);
  const { document, lineCounter } = parsed;
  const diagnostics: Diagnostic[] = [...parsed.syntax];
  const at = (p: (string | number)[], onKey = false) => rangeAt(parsed, p, onKey);

  if (!diagnostics.some((d) => d.severity === 'error')) {
    yield;
    const { data: raw, error } = toData(document);
    yield;
    if (error !== undefined) {
      diagnostics.push({ range: at([]), severity: 'error', code: 'yaml.aliases', message: `The document cannot be expanded: ${error}`, path: [] });
    } else {
      // An empty file is a config with no routes yet: the gateway starts and answers 404.
      const { data, unset } = interpolate(raw ?? {}, env);
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
            message: `Environment variable ${ref.name} is not set.`,
            path: ref.path,
            data: { name: ref.name },
          });
        }
      }
      yield;
      const schema = schemaDiagnostics(data, parsed);
      diagnostics.push(...schema);
      yield;
      // A value the schema already refused gets one message, not a second one from the rules.
      const refused = new Set(schema.map((d) => JSON.stringify(d.path)));
      for (const f of semanticFindings(data)) {
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
        return { diagnostics: diagnostics.sort(byPosition), document, lineCounter, valid: { data } };
      }
    }
  }
  return { diagnostics: diagnostics.sort(byPosition), document, lineCounter };
}

export function loadConfig(text: string, options: LoadOptions = {}): LoadResult {
  const { valid, ...checked } = checkConfig(text, options);
  if (!valid) return checked;
  return { config: normalizeConfig(valid.data, options.env ?? process.env, options.baseDir ?? process.cwd()), ...checked };
}

export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<LoadResult & { text: string }> {
  const text = await readFile(file, 'utf8');
  return { ...loadConfig(text, { baseDir: path.dirname(path.resolve(file)), ...options }), text };
}

/** `FILE:LINE:COL: severity: message [code]`, the format `validate` prints (1-based line and column). */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message} [${d.code}]`;
}
