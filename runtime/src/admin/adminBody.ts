// Reads an admin request body (JSON, or YAML for the config) with a size cap, and refuses what cannot be read
// with 400 and a diagnostic that says where (line and column in the body).
import type { IncomingMessage } from 'node:http';
import { parseYaml, yamlToData } from '../../../common/src/config';
import { AdminError } from './adminErrors';

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export async function readBodyText(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new AdminError(
        413,
        'request_too_large',
        `The body is larger than ${limit} bytes (${(limit / 1024 / 1024).toFixed(0)} MiB), the most this endpoint reads.`,
      );
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The body as data. JSON is YAML, so one parser gives positions for both. */
function parseBody(text: string): unknown {
  if (text.trim() === '') throw new AdminError(400, 'bad_request', 'The request has no body: send a JSON object.');
  const { document, syntax } = parseYaml(text);
  const errors = syntax.filter((d) => d.severity === 'error');
  const first = errors[0];
  if (first) {
    throw new AdminError(
      400,
      'bad_request',
      `The body is not valid JSON or YAML: ${first.message} (line ${first.range.start.line + 1}, column ${first.range.start.character + 1}).`,
      errors,
    );
  }
  const data = yamlToData(document);
  if (!data.ok) throw new AdminError(400, 'bad_request', `The body cannot be expanded: ${data.error}.`);
  return data.data;
}

export function parseObjectBody(text: string, what: string): Record<string, unknown> {
  const data = parseBody(text);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new AdminError(400, 'bad_request', `The body must be a JSON object (${what}), not ${Array.isArray(data) ? 'an array' : typeof data}.`);
  }
  return data as Record<string, unknown>;
}
