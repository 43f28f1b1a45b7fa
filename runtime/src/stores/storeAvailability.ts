// Whether a shared store (Redis) is answering, told once per change: every use of the store (rate limits, the
// response cache, budgets, the spend ledger) builds its log lines and metrics on this one state machine.

/** During an outage, how often one operation still tries the store to find out whether it is back. */
const PROBE_INTERVAL_MS = 1_000;

export class StoreAvailability {
  private available = true;
  private lastProbe = 0;

  get isAvailable(): boolean {
    return this.available;
  }

  /**
   * Whether an operation should go to the store: always while it answers; during an outage one probe per
   * interval, so a hung Redis costs one request the command timeout, not every request.
   */
  shouldTry(now = Date.now()): boolean {
    if (this.available || now - this.lastProbe >= PROBE_INTERVAL_MS) {
      this.lastProbe = now;
      return true;
    }
    return false;
  }

  /** Marks the store down; true only for the change, so the caller logs an outage once. */
  protected markDown(): boolean {
    if (!this.available) return false;
    this.available = false;
    return true;
  }

  /** Marks the store answering again; true only for the change. */
  protected markUp(): boolean {
    if (this.available) return false;
    this.available = true;
    return true;
  }
}
