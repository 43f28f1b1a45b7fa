// Reads `usage` (token counts) from a response while it streams through, without holding the stream back:
// the whole body for JSON (up to a cap), the data lines for SSE (the last usage chunk wins).
import type { UsageTokens } from '../context';

const MAX_JSON_BYTES = 1 << 20;

export interface UsageTap {
  push(chunk: Buffer): void;
  result(): UsageTokens | undefined;
}

export function createUsageTap(contentType: string | undefined): UsageTap | undefined {
  if (!contentType) return undefined;
  if (contentType.includes('text/event-stream')) return sseTap();
  if (contentType.includes('json')) return jsonTap();
  return undefined;
}

function jsonTap(): UsageTap {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push(chunk) {
      size += chunk.length;
      if (size <= MAX_JSON_BYTES) chunks.push(chunk);
    },
    result() {
      if (size > MAX_JSON_BYTES) return undefined;
      return usageOf(parse(Buffer.concat(chunks).toString('utf8')));
    },
  };
}

function sseTap(): UsageTap {
  let pending = '';
  let usage: UsageTokens | undefined;
  const scan = (line: string): void => {
    if (!line.startsWith('data:') || !line.includes('"usage"')) return;
    usage = usageOf(parse(line.slice(5).trim())) ?? usage;
  };
  return {
    push(chunk) {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) scan(line.trimEnd());
    },
    result() {
      scan(pending.trimEnd());
      return usage;
    },
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function usageOf(body: unknown): UsageTokens | undefined {
  if (!body || typeof body !== 'object' || !('usage' in body)) return undefined;
  const usage = body.usage as Record<string, unknown> | null;
  if (!usage || typeof usage !== 'object') return undefined;
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0;
  const completion = typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0;
  const total = typeof usage.total_tokens === 'number' ? usage.total_tokens : prompt + completion;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total };
}
