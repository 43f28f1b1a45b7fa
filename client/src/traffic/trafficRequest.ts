// A recent request as something to send again: the test-request panel's spec (what Replay, Edit and send and Copy as
// curl start from). Redacted credentials are left out rather than sent as "<redacted>"; the panel adds the stored
// credential of the route, and curl references it as a variable.
import type { Traffic } from '../../../common/src/protocol';
import type { TestRequestSpec } from '../testRequest/requestTemplate';

const REDACTED = '<redacted>';
/** Set again by whoever sends the request (the connection, the gateway), never copied from the recorded one. */
const NOT_COPIED = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'expect',
  'x-request-id',
  'traceparent',
  'tracestate',
  'accept-encoding',
  'user-agent',
]);

export function specOf(detail: Traffic.Detail): TestRequestSpec {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(detail.request.headers)) {
    if (value === REDACTED || NOT_COPIED.has(name) || name.startsWith('x-forwarded-')) continue;
    headers[name] = value;
  }
  const query = new URLSearchParams((detail.request.query ?? '').replace(/^\?/, ''));
  for (const [name, value] of [...query.entries()]) if (value === REDACTED) query.delete(name);
  const search = query.toString();
  const body = detail.request.body;
  return {
    route: detail.entry.route ?? '',
    method: detail.request.method,
    path: `${detail.request.path}${search ? `?${search}` : ''}`,
    headers,
    body: body?.text ?? (body?.base64 !== undefined ? Buffer.from(body.base64, 'base64').toString('utf8') : ''),
  };
}
