// The extension's view of the running gateway's admin API: routes and the per-route metrics summary.
import { Admin, type RequestTrace } from '../../runtime/src/protocol';

export class AdminClient {
  constructor(
    private readonly adminUrl: string,
    private readonly apiKey: string,
  ) {}

  async metrics(signal?: AbortSignal): Promise<Admin.MetricsSummary> {
    return this.get<Admin.MetricsSummary>('/metrics', signal);
  }

  /** The kept trace of a traced request; undefined once the gateway no longer has it. */
  async trace(requestId: string): Promise<RequestTrace.Record | undefined> {
    try {
      return await this.get<RequestTrace.Record>(`/traces/${encodeURIComponent(requestId)}`);
    } catch {
      return undefined;
    }
  }

  private async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const url = new URL(`${Admin.basePath}${path}`, this.adminUrl);
    const response = await fetch(url, { headers: { authorization: `Bearer ${this.apiKey}` }, signal });
    const text = await response.text();
    if (!response.ok) {
      let message = text.slice(0, 200);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not a JSON error body: show its start
      }
      throw new Error(`GET ${url.pathname} answered ${response.status}: ${message}`);
    }
    return JSON.parse(text) as T;
  }
}
