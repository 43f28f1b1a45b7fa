// The `webhook` guardrail: the operator's moderation service judges the texts. One keep-alive pool per guardrail,
// compiled with the config; each call has the guardrail's timeout (the gateway's own timer); a failed call (timeout,
// refused, a status or an answer that is not a verdict) means `onError`; a verdict is reused for an identical input
// for `cacheTtl` (keyed by the SHA-256 of the payload, at most MAX_CACHED verdicts).
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Pool } from 'undici';
import type { WebhookGuardrail } from '../../../common/src/config';
import type { GuardrailWebhook } from '../../../common/src/protocol';

const MAX_CACHED = 10_000;
const MAX_ANSWER_BYTES = 64 * 1024;

export type WebhookVerdict = { action: GuardrailWebhook.Response['action']; reason?: string; cached: boolean } | { error: string };

export class WebhookCheck {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly cache: LRUCache<string, GuardrailWebhook.Response> | undefined;
  /** Calls that returned a verdict or failed, for tests and the bench (cached answers are not calls). */
  calls = 0;

  constructor(readonly config: WebhookGuardrail) {
    const url = new URL(config.url);
    this.pool = new Pool(url.origin, { connections: 16 });
    this.path = url.pathname + url.search;
    this.cache = config.cacheTtlMs > 0 ? new LRUCache({ max: MAX_CACHED, ttl: config.cacheTtlMs }) : undefined;
  }

  async judge(request: GuardrailWebhook.Request): Promise<WebhookVerdict> {
    const payload = JSON.stringify(request);
    const key = this.cache ? createHash('sha256').update(payload).digest('base64') : '';
    const cached = this.cache?.get(key);
    if (cached) return { ...cached, cached: true };
    this.calls++;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('timeout')), this.config.timeoutMs);
    try {
      const answer = await this.pool.request({
        method: 'POST',
        path: this.path,
        headers: { ...this.config.headers, 'content-type': 'application/json' },
        body: payload,
        signal: controller.signal,
      });
      const text = await readLimited(answer.body);
      if (answer.statusCode < 200 || answer.statusCode >= 300) return { error: `the webhook answered ${answer.statusCode}` };
      const verdict = verdictOf(text);
      if (!verdict) return { error: 'the webhook answered something other than {"action": "allow" | "block" | "flag"}' };
      this.cache?.set(key, verdict);
      return { ...verdict, cached: false };
    } catch (err) {
      return { error: controller.signal.aborted ? `no verdict within ${this.config.timeoutMs} ms` : `the webhook could not be called (${codeOf(err)})` };
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.pool.close().catch(() => undefined);
  }
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy();
      return '';
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function verdictOf(text: string): GuardrailWebhook.Response | undefined {
  try {
    const value = JSON.parse(text) as { action?: unknown; reason?: unknown };
    if (value.action !== 'allow' && value.action !== 'block' && value.action !== 'flag') return undefined;
    return { action: value.action, ...(typeof value.reason === 'string' ? { reason: value.reason.slice(0, 200) } : {}) };
  } catch {
    return undefined;
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}
