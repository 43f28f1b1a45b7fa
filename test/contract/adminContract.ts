// schemas/admin-api.openapi.json as a checker of real answers: which operation a request was, whether the status and
// content type it got are described there, and whether the body validates against the described schema (ajv, 2020-12,
// the dialect of OpenAPI 3.1). The SDK tests of both languages put every answer they receive through it.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { repoRoot } from '../support/cli';

export const OPENAPI_FILE = path.join(repoRoot, 'schemas', 'admin-api.openapi.json');

export interface OpenApiOperation {
  operationId: string;
  responses: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
}
export interface OpenApiDocument {
  /** Per path: its operations (OpenApiOperation) beside path-level keys such as "parameters". */
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Record<string, unknown>>; responses: Record<string, { content?: Record<string, unknown> }> };
}

export const openApi = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** One answer a client received, as the SDK tests record it. */
export interface RecordedAnswer {
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  body: string;
}

const DOCUMENT_ID = 'admin-api';
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
// The OpenAPI document's own keys, and the link from a component schema to its TypeScript type (see adminOpenApi.test).
for (const keyword of ['openapi', 'info', 'servers', 'security', 'paths', 'components', 'x-typescript']) ajv.addKeyword(keyword);
ajv.addSchema(openApi, DOCUMENT_ID);

/** Every operation as `METHOD /path/{param}`. */
export function operations(): { method: string; path: string; operation: OpenApiOperation }[] {
  return Object.entries(openApi.paths).flatMap(([template, item]) =>
    HTTP_METHODS.filter((m) => m in item).map((m) => ({ method: m.toUpperCase(), path: template, operation: item[m] as OpenApiOperation })),
  );
}

/** The path template a concrete request path matches (`/api/v1/routes/chat` -> `/api/v1/routes/{name}`). */
export function pathTemplate(requestPath: string): string | undefined {
  const actual = requestPath.split('/');
  return Object.keys(openApi.paths).find((template) => {
    const pattern = template.split('/');
    return pattern.length === actual.length && pattern.every((segment, i) => /^\{.+\}$/.test(segment) || segment === actual[i]);
  });
}

/** What is wrong with an answer by the OpenAPI document; empty when it is described and its body validates. */
export function contractProblems(answer: RecordedAnswer): string[] {
  const { pathname } = new URL(answer.url);
  const where = `${answer.method} ${pathname} -> ${answer.status}`;
  const template = pathTemplate(pathname);
  const item = template ? openApi.paths[template] : undefined;
  const method = answer.method.toLowerCase();
  if (!template || !item || !(method in item)) return [`${where}: no such operation in ${path.basename(OPENAPI_FILE)}`];
  const responses = (item[method] as OpenApiOperation).responses;
  let pointer = `#/paths/${escapePointer(template)}/${method}/responses/${answer.status}`;
  let response = responses[String(answer.status)];
  if (!response) return [`${where}: status ${answer.status} is not described for ${answer.method} ${template}`];
  if (response.$ref) {
    pointer = response.$ref;
    response = openApi.components.responses[response.$ref.split('/').pop() as string] ?? {};
  }
  const mediaType = (answer.contentType ?? '').split(';')[0]?.trim() ?? '';
  if (!response.content || !(mediaType in response.content)) {
    return [`${where}: content type "${answer.contentType}" is not described (${Object.keys(response.content ?? {}).join(', ') || 'none'})`];
  }
  const validate = ajv.getSchema(`${DOCUMENT_ID}${pointer}/content/${escapePointer(mediaType)}/schema`);
  if (!validate) return [`${where}: the schema at ${pointer} does not compile`];
  let body: unknown = answer.body;
  if (mediaType === 'application/json') {
    try {
      body = JSON.parse(answer.body);
    } catch {
      return [`${where}: the body is not JSON: ${answer.body.slice(0, 200)}`];
    }
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${where}: ${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A `fetch` for the TypeScript SDK (`new AIGateway({ fetch })`) that keeps a copy of every answer in `answers`. */
export function recordingFetch(answers: RecordedAnswer[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    // A stream of server-sent events does not end on its own: its content type and status are what is checked.
    const streaming = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
    const body = streaming ? '' : await response.clone().text();
    answers.push({ method: init?.method ?? 'GET', url: String(input), status: response.status, contentType: response.headers.get('content-type'), body });
    return response;
  };
}
