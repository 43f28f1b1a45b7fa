// The guardrails of every route, compiled once per config (a ConfigPart): detectors chosen, deny patterns compiled
// with RE2, tokenizers loaded, JSON Schemas read and compiled, webhook pools opened. A route without guardrails has no
// entry, so its requests pay one map lookup. A schema file that cannot be read refuses the whole config.
import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import type { RE2JS } from 're2js';
import {
  compileDenyPattern,
  compileGlob,
  type Glob,
  type GatewayConfig,
  type GuardrailAction,
  type JsonSchemaGuardrail,
  type PiiKind,
  type RequestGuardrail,
  type ResponseGuardrail,
  type RouteConfig,
} from '../../../common/src/config';
import type { ConfigPart } from '../gateway/snapshot';
import { PiiMatcher } from './detectors';
import { contentRedactor, type ContentRedactor } from './recordedContent';
import { Tokenizers } from './tokenCount';
import { WebhookCheck } from './webhookCheck';

export type RequestCheck =
  | { type: 'pii'; matcher: PiiMatcher; action: GuardrailAction; restore: boolean }
  | { type: 'deny'; patterns: RE2JS[]; action: GuardrailAction }
  | { type: 'maxPromptTokens'; limit: number; tokenizers: Tokenizers }
  | { type: 'models'; allow: Glob[]; consumers: ReadonlyMap<string, Glob[]> }
  | { type: 'webhook'; check: WebhookCheck };

export type ResponseCheck =
  | { type: 'pii'; matcher: PiiMatcher; action: GuardrailAction }
  | { type: 'jsonSchema'; validate: ValidateFunction; action: 'block' | 'flag' }
  | { type: 'webhook'; check: WebhookCheck };

export interface RouteGuardrails {
  route: string;
  request: RequestCheck[];
  response: ResponseCheck[];
  /** A request `pii` guardrail redacts with `restore`: answers are scanned for its placeholders. */
  restores: boolean;
  /** Tokenizers still loading (a route with maxPromptTokens, right after the config was applied). */
  loading?: Tokenizers;
  /** A route with telemetry.recordContent: what its spans' prompts and answers go through. */
  recordedContent?: ContentRedactor;
}

export type GuardrailsByRoute = ReadonlyMap<string, RouteGuardrails>;

function requestCheck(guardrail: RequestGuardrail): RequestCheck {
  switch (guardrail.type) {
    case 'pii':
      return { type: 'pii', matcher: new PiiMatcher(guardrail.kinds), action: guardrail.action, restore: guardrail.restore && guardrail.action === 'redact' };
    case 'deny':
      return {
        type: 'deny',
        action: guardrail.action,
        patterns: guardrail.patterns.map((pattern) => {
          const compiled = compileDenyPattern(pattern);
          if ('error' in compiled) throw new Error(`deny pattern ${JSON.stringify(pattern)}: ${compiled.error}`);
          return compiled.regex;
        }),
      };
    case 'maxPromptTokens':
      return { type: 'maxPromptTokens', limit: guardrail.limit, tokenizers: new Tokenizers() };
    case 'models':
      return {
        type: 'models',
        allow: guardrail.allow.map(compileGlob),
        consumers: new Map(Object.entries(guardrail.consumers).map(([consumer, globs]) => [consumer, globs.map(compileGlob)])),
      };
    case 'webhook':
      return { type: 'webhook', check: new WebhookCheck(guardrail) };
  }
}

function schemaValidator(guardrail: JsonSchemaGuardrail, ajv: Ajv): ValidateFunction {
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(guardrail.file, 'utf8'));
  } catch (err) {
    throw new Error(`guardrails jsonSchema: cannot read ${guardrail.file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return ajv.compile(schema as object);
  } catch (err) {
    throw new Error(`guardrails jsonSchema: ${guardrail.file} is not a JSON Schema (${(err as Error).message})`);
  }
}

function responseCheck(guardrail: ResponseGuardrail, ajv: Ajv): ResponseCheck {
  switch (guardrail.type) {
    case 'pii':
      return { type: 'pii', matcher: new PiiMatcher(guardrail.kinds), action: guardrail.action };
    case 'jsonSchema':
      return { type: 'jsonSchema', validate: schemaValidator(guardrail, ajv), action: guardrail.action };
    case 'webhook':
      return { type: 'webhook', check: new WebhookCheck(guardrail) };
  }
}

function compileRoute(route: RouteConfig, ajv: Ajv): RouteGuardrails | undefined {
  const config = route.guardrails;
  if (!config) return undefined;
  try {
    const request = config.request.map(requestCheck);
    const recordedContent = route.telemetry?.recordContent ? redactorOf(config.request, config.response, request) : undefined;
    return {
      route: route.name,
      request,
      response: config.response.map((guardrail) => responseCheck(guardrail, ajv)),
      restores: request.some((check) => check.type === 'pii' && check.restore),
      loading: request.flatMap((check) => (check.type === 'maxPromptTokens' ? [check.tokenizers] : []))[0],
      ...(recordedContent ? { recordedContent } : {}),
    };
  } catch (err) {
    throw new Error(`route "${route.name}": ${(err as Error).message}`);
  }
}

/** The kinds of every pii guardrail and the patterns of every deny guardrail, for what spans record. */
function redactorOf(
  request: readonly RequestGuardrail[],
  response: readonly ResponseGuardrail[],
  checks: readonly RequestCheck[],
): ContentRedactor | undefined {
  const kinds = new Set<PiiKind>();
  for (const guardrail of [...request, ...response]) if (guardrail.type === 'pii') for (const kind of guardrail.kinds) kinds.add(kind);
  return contentRedactor(
    kinds,
    checks.flatMap((check) => (check.type === 'deny' ? check.patterns : [])),
  );
}

function webhooksOf(guardrails: RouteGuardrails): WebhookCheck[] {
  return [...guardrails.request, ...guardrails.response].flatMap((check) => (check.type === 'webhook' ? [check.check] : []));
}

export function createGuardrailsPart(): ConfigPart<GuardrailsByRoute> {
  return {
    name: 'guardrails',
    compile(config: GatewayConfig): GuardrailsByRoute {
      const ajv = new Ajv({ strict: false, allErrors: false });
      const compiled = new Map<string, RouteGuardrails>();
      try {
        for (const route of config.routes) {
          const guardrails = compileRoute(route, ajv);
          if (guardrails) compiled.set(route.name, guardrails);
        }
      } catch (err) {
        for (const guardrails of compiled.values()) for (const webhook of webhooksOf(guardrails)) webhook.close();
        throw err;
      }
      return compiled;
    },
    dispose(compiled) {
      for (const guardrails of compiled.values()) for (const webhook of webhooksOf(guardrails)) webhook.close();
    },
  };
}
