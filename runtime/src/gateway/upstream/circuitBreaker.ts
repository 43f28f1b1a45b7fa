// Passive health of one target: consecutive failures or an error ratio over the last `window` results open the
// circuit; after the cool-down it half-opens and lets exactly one probe through; the probe's result closes or
// re-opens it.
import type { CircuitBreakerConfig } from '../../../../common/src/config';

export type CircuitState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private openedAt = 0;
  private consecutiveFailures = 0;
  private readonly results: boolean[] = []; // ring of the last `window` outcomes, true = failure
  private resultIndex = 0;
  private failuresInWindow = 0;

  constructor(
    private readonly config: CircuitBreakerConfig,
    private readonly onChange: (state: CircuitState, detail: string) => void,
  ) {}

  get current(): CircuitState {
    return this.state;
  }

  /** Whether a request may be sent now (no side effect: a cooled-down open circuit only says "a probe may go"). */
  allows(now: number): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') return now - this.openedAt >= this.config.coolDownMs;
    return false; // half-open: the single probe is in flight
  }

  /** Called when a request is actually sent to the target; takes the probe slot of a cooled-down circuit. */
  onSend(now: number): void {
    if (this.state === 'open' && now - this.openedAt >= this.config.coolDownMs) {
      this.state = 'half-open';
      this.onChange('half-open', 'cool-down elapsed, probing');
    }
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.pushResult(false);
    if (this.state === 'half-open') {
      this.reset();
      this.onChange('closed', 'probe succeeded');
    }
  }

  recordFailure(now: number, reason: string): void {
    this.consecutiveFailures += 1;
    this.pushResult(true);
    if (this.state === 'half-open') {
      this.open(now, `probe failed: ${reason}`);
      return;
    }
    if (this.state !== 'closed') return;
    if (this.config.consecutiveFailures > 0 && this.consecutiveFailures >= this.config.consecutiveFailures) {
      this.open(now, `${this.consecutiveFailures} consecutive failures (last: ${reason})`);
    } else if (
      this.config.errorRatio > 0 &&
      this.results.length >= this.config.window &&
      this.failuresInWindow / this.results.length >= this.config.errorRatio
    ) {
      this.open(now, `error ratio ${this.failuresInWindow}/${this.results.length} (last: ${reason})`);
    }
  }

  /**
   * Takes over the state of the same target's breaker in the config this one replaces, so a reload does not send
   * traffic back to a target that is failing. Outcomes carry over only when the window is the same size; a probe
   * that was in flight under the old config reports there, so half-open comes over as open with its cool-down done.
   */
  carryOver(from: CircuitBreaker): void {
    this.state = from.state === 'half-open' ? 'open' : from.state;
    this.openedAt = from.state === 'half-open' ? -Infinity : from.openedAt;
    this.consecutiveFailures = from.consecutiveFailures;
    if (from.config.window !== this.config.window) return;
    this.results.push(...from.results);
    this.resultIndex = from.resultIndex;
    this.failuresInWindow = from.failuresInWindow;
  }

  private open(now: number, detail: string): void {
    this.state = 'open';
    this.openedAt = now;
    this.onChange('open', detail);
  }

  private reset(): void {
    this.state = 'closed';
    this.consecutiveFailures = 0;
    this.results.length = 0;
    this.resultIndex = 0;
    this.failuresInWindow = 0;
  }

  private pushResult(failed: boolean): void {
    const window = Math.max(1, this.config.window);
    if (this.results.length < window) {
      this.results.push(failed);
    } else {
      if (this.results[this.resultIndex]) this.failuresInWindow -= 1;
      this.results[this.resultIndex] = failed;
      this.resultIndex = (this.resultIndex + 1) % window;
    }
    if (failed) this.failuresInWindow += 1;
  }
}
