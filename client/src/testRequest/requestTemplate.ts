// The request a "Send test request" starts from: the route's `example:`, else its first `tests:` entry, else a
// sensible default for the kind of route (a streamed chat completion for OpenAI chat paths).
import type { Lsp } from '../../../common/src/protocol';

export interface TestRequestSpec {
  route: string;
  method: string;
  path: string; // relative to the gateway URL
  headers: Record<string, string>;
  body: string; // as sent; '' for none
}

function defaultBody(path: string): unknown {
  if (path.endsWith('/chat/completions')) {
    return {
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Say hello from the AI Gateway.' }],
    };
  }
  if (path.endsWith('/completions')) return { model: 'gpt-3.5-turbo-instruct', prompt: 'Say hello', max_tokens: 16 };
  if (path.endsWith('/embeddings')) return { model: 'text-embedding-3-small', input: 'Hello' };
  return { input: 'Hello' };
}

/** A pattern path is no URL: `*` and `:param` become sample segments the user can edit. */
function concretePath(path: string): string {
  return path
    .replace(/\/\*$/, '/example')
    .replace(/\*/g, 'example')
    .replace(/:([A-Za-z_]\w*)/g, 'sample-$1');
}

function serialize(body: unknown): string {
  if (body === undefined) return '';
  return typeof body === 'string' ? body : JSON.stringify(body, null, 2);
}

export function requestTemplate(route: Lsp.Route): TestRequestSpec {
  const test = route.tests[0];
  const source = route.example ?? test;
  const path = test?.path ?? concretePath(route.path);
  const method = (source?.method ?? route.methods?.[0] ?? 'POST').toUpperCase();
  const headers: Record<string, string> = { ...route.match?.headers, ...source?.headers };
  const bodyValue = source?.body ?? (method === 'GET' || method === 'HEAD' ? undefined : defaultBody(path));
  // A route that matches on the body's model gets a body that matches it.
  if (route.match?.model && bodyValue && typeof bodyValue === 'object' && !source?.body) {
    (bodyValue as Record<string, unknown>)['model'] = route.match.model.replace(/\*/g, '');
  }
  const body = serialize(bodyValue);
  if (body !== '' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  return { route: route.name, method, path, headers, body };
}
