// Active health checks: GET `healthCheck.path` on every target each interval; `unhealthyThreshold` failures in a
// row take a target out of rotation, `healthyThreshold` successes in a row bring it back.
import type { HealthCheckConfig } from '../../../../common/src/config';
import type { UpstreamTarget } from './target';

export class ActiveHealthChecker {
  private timer: NodeJS.Timeout | undefined;
  private successes = 0;
  private failures = 0;
  private running = false;
  private stopped = false;
  private readonly probeAbort = new AbortController();

  constructor(
    private readonly target: UpstreamTarget,
    private readonly config: HealthCheckConfig,
  ) {}

  start(): void {
    void this.probe();
    this.timer = setInterval(() => void this.probe(), this.config.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.probeAbort.abort();
  }

  /** One check; overlapping checks are skipped so a slow target is not probed twice at once. */
  async probe(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      const outcome = await this.check();
      if (!this.stopped) this.record(outcome);
    } finally {
      this.running = false;
    }
  }

  private async check(): Promise<{ ok: boolean; detail: string }> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.config.timeoutMs), this.probeAbort.signal]);
    try {
      const response = await this.target.pool.request({
        method: 'GET',
        path: this.config.path, // on the target's host, whatever path prefix its URL has
        headers: { 'user-agent': 'ai-gateway-health-check', ...(this.target.authorization ? { authorization: this.target.authorization } : {}) },
        signal,
        headersTimeout: this.config.timeoutMs,
      });
      await response.body.dump();
      const ok = response.statusCode >= 200 && response.statusCode < 400;
      return { ok, detail: `health check ${this.config.path} answered ${response.statusCode}` };
    } catch (err) {
      const reason = signal.aborted ? `timed out after ${this.config.timeoutMs}ms` : describeError(err);
      return { ok: false, detail: `health check ${this.config.path} failed: ${reason}` };
    }
  }

  private record(outcome: { ok: boolean; detail: string }): void {
    if (outcome.ok) {
      this.successes += 1;
      this.failures = 0;
      if (this.successes >= this.config.healthyThreshold) this.target.setActiveHealth(true, outcome.detail);
    } else {
      this.failures += 1;
      this.successes = 0;
      if (this.failures >= this.config.unhealthyThreshold) this.target.setActiveHealth(false, outcome.detail);
    }
  }
}

function describeError(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}
