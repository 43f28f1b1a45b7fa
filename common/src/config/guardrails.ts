// The `guardrails:` of a route in the config model: normalizing the YAML's one-key items (`- pii: {...}`,
// `- maxPromptTokens: 8000`) into typed guardrails, and the rules the schema cannot say. Deny patterns are compiled
// here with RE2 (re2js, linear-time matching), so the editor, `validate` and the runtime refuse the same patterns.
import * as path from 'node:path';
import { RE2JS } from 're2js';
import type { Finding } from './ruleViews';
import {
  PII_KINDS,
  type GuardrailAction,
  type GuardrailsConfig,
  type PiiGuardrail,
  type PiiKind,
  type RequestGuardrail,
  type ResponseGuardrail,
  type WebhookGuardrail,
} from './types';
import { parseDuration } from './units';

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 1_000;
export const DEFAULT_WEBHOOK_CACHE_TTL_MS = 30_000;
/** RE2 programs above this many instructions are refused: matching time grows with the program, not only the text. */
export const MAX_DENY_PROGRAM_SIZE = 5_000;

/** A deny pattern compiled for linear-time matching, or why it cannot be. */
export function compileDenyPattern(pattern: string): { regex: RE2JS } | { error: string } {
  try {
    const regex = RE2JS.compile(pattern);
    if (regex.programSize() > MAX_DENY_PROGRAM_SIZE) {
      return { error: `it compiles to ${regex.programSize()} instructions (at most ${MAX_DENY_PROGRAM_SIZE}): split it or drop large repeat counts` };
    }
    return { regex };
  } catch (err) {
    return { error: (err instanceof Error ? err.message : String(err)).replace(/^error parsing regexp: /, '') };
  }
}

function piiOf(raw: Raw): PiiGuardrail {
  const kinds = raw.kinds !== undefined ? (list(raw.kinds).map(String) as PiiKind[]) : [...PII_KINDS];
  return { type: 'pii', action: (str(raw.action) as GuardrailAction | undefined) ?? 'redact', kinds: [...new Set(kinds)], restore: raw.restore === true };
}

function webhookOf(raw: Raw): WebhookGuardrail {
  return {
    type: 'webhook',
    url: str(raw.url) as string,
    timeoutMs: parseDuration(raw.timeout) ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
    onError: raw.onError === 'allow' ? 'allow' : 'block',
    cacheTtlMs: parseDuration(raw.cacheTtl) ?? DEFAULT_WEBHOOK_CACHE_TTL_MS,
    headers: Object.fromEntries(Object.entries(obj(raw.headers)).map(([name, value]) => [name.toLowerCase(), String(value)])),
  };
}

function requestGuardrailOf(item: Raw): RequestGuardrail | undefined {
  if (item.pii !== undefined) return piiOf(obj(item.pii));
  if (item.deny !== undefined) {
    const deny = obj(item.deny);
    return { type: 'deny', patterns: list(deny.patterns).map(String), action: (str(deny.action) as GuardrailAction | undefined) ?? 'block' };
  }
  if (typeof item.maxPromptTokens === 'number') return { type: 'maxPromptTokens', limit: item.maxPromptTokens };
  if (item.models !== undefined) {
    const models = obj(item.models);
    const consumers = Object.entries(obj(models.consumers)).map(([name, globs]) => [name, list(globs).map(String)] as const);
    return { type: 'models', allow: list(models.allow).map(String), consumers: Object.fromEntries(consumers) };
  }
  if (item.webhook !== undefined) return webhookOf(obj(item.webhook));
  return undefined;
}

function responseGuardrailOf(item: Raw, baseDir: string): ResponseGuardrail | undefined {
  if (item.pii !== undefined) return { ...piiOf(obj(item.pii)), restore: false };
  if (item.jsonSchema !== undefined) {
    const spec = typeof item.jsonSchema === 'string' ? { file: item.jsonSchema } : obj(item.jsonSchema);
    return { type: 'jsonSchema', file: path.resolve(baseDir, str(spec.file) as string), action: spec.action === 'flag' ? 'flag' : 'block' };
  }
  if (item.webhook !== undefined) return webhookOf(obj(item.webhook));
  return undefined;
}

/** A route's `guardrails:` (schema-valid) as typed guardrails; undefined when it declares none. */
export function normalizeGuardrails(raw: unknown, baseDir: string): GuardrailsConfig | undefined {
  if (raw === undefined) return undefined;
  const spec = obj(raw);
  const request = list(spec.request).flatMap((item) => requestGuardrailOf(obj(item)) ?? []);
  const response = list(spec.response).flatMap((item) => responseGuardrailOf(obj(item), baseDir) ?? []);
  return request.length + response.length > 0 ? { request, response } : undefined;
}

/** What the schema cannot say about a route's guardrails: patterns RE2 refuses, settings that do nothing. */
export function guardrailFindings(route: Raw, index: number): Finding[] {
  const out: Finding[] = [];
  const spec = obj(route.guardrails);
  list(spec.request).forEach((entry, i) => {
    const item = obj(entry);
    const at = ['routes', index, 'guardrails', 'request', i];
    if (item.deny !== undefined) {
      list(obj(item.deny).patterns).forEach((pattern, j) => {
        if (typeof pattern !== 'string') return;
        const compiled = compileDenyPattern(pattern);
        if ('error' in compiled) {
          out.push({
            path: [...at, 'deny', 'patterns', j],
            severity: 'error',
            code: 'guardrail.denyPattern',
            message: `Deny pattern ${JSON.stringify(pattern)} is refused: ${compiled.error}. Patterns use RE2 syntax and run in linear time; backreferences and lookarounds (which can take exponential time) are not supported.`,
          });
        }
      });
    }
    const pii = obj(item.pii);
    if (pii.restore === true && (str(pii.action) ?? 'redact') !== 'redact') {
      out.push({
        path: [...at, 'pii', 'restore'],
        onKey: true,
        severity: 'warning',
        code: 'guardrail.restoreWithoutRedact',
        message: `restore puts redacted values back into the answer; with action "${str(pii.action) ?? ''}" nothing is redacted, so it does nothing.`,
      });
    }
    const models = obj(item.models);
    if (Array.isArray(models.allow) && models.allow.length === 0 && Object.keys(obj(models.consumers)).length === 0) {
      out.push({
        path: [...at, 'models', 'allow'],
        severity: 'warning',
        code: 'guardrail.noModelAllowed',
        message: 'models.allow is empty, so every request on this route is refused (403).',
      });
    }
  });
  return out;
}

/** A route that records prompts and answers in its spans without a pii guardrail sends them to the collector as they are. */
export function recordedContentFindings(route: Raw, index: number, name: string): Finding[] {
  if (obj(route.telemetry).recordContent !== true) return [];
  const spec = obj(route.guardrails);
  const redacts = [...list(spec.request), ...list(spec.response)].some((item) => obj(item).pii !== undefined || obj(item).deny !== undefined);
  if (redacts) return [];
  return [
    {
      path: ['routes', index, 'telemetry', 'recordContent'],
      severity: 'warning',
      code: 'telemetry.contentUnredacted',
      message: `Route "${name}" records its prompts and answers in its spans, and no pii or deny guardrail redacts them: they reach the trace collector as they were sent. Add guardrails (e.g. request: [{ pii: {} }]; spans get their redaction whatever the action), or drop recordContent.`,
    },
  ];
}
