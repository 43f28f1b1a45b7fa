// Target selection per route: round-robin, smooth weighted round-robin (nginx's algorithm), least-connections and
// least-latency (moving average of time to first byte, scaled by load). Only available targets are candidates;
// targets already tried by this request are skipped while an untried one remains.
import type { LoadBalancing } from '../../../../common/src/config';
import type { UpstreamTarget } from './target';

export interface Balancer {
  pick(now: number, tried?: ReadonlySet<UpstreamTarget>): UpstreamTarget | undefined;
}

type Chooser = (candidates: UpstreamTarget[]) => UpstreamTarget;

export function createBalancer(mode: LoadBalancing, targets: readonly UpstreamTarget[]): Balancer {
  const choose = chooserFor(mode, targets);
  return {
    pick(now, tried) {
      if (targets.length === 1) {
        const only = targets[0];
        return only && only.isAvailable(now) ? only : undefined;
      }
      const available = targets.filter((target) => target.isAvailable(now));
      if (available.length === 0) return undefined;
      const untried = tried && tried.size > 0 ? available.filter((target) => !tried.has(target)) : available;
      return choose(untried.length > 0 ? untried : available);
    },
  };
}

function chooserFor(mode: LoadBalancing, targets: readonly UpstreamTarget[]): Chooser {
  switch (mode) {
    case 'round-robin':
      return roundRobin();
    case 'weighted':
      return smoothWeighted(targets);
    case 'least-connections':
      return lowestScore((target) => target.active, roundRobin());
    case 'least-latency':
      return lowestScore((target) => target.latencyMs * (target.active + 1), roundRobin());
  }
}

function roundRobin(): Chooser {
  let next = 0;
  return (candidates) => {
    const chosen = candidates[next % candidates.length] as UpstreamTarget;
    next = (next + 1) % 1_000_000_007;
    return chosen;
  };
}

/** Each pick adds every candidate's weight to its credit, takes the richest, and charges it the total. */
function smoothWeighted(targets: readonly UpstreamTarget[]): Chooser {
  const credit = new Map<UpstreamTarget, number>(targets.map((target) => [target, 0]));
  return (candidates) => {
    let total = 0;
    let best: UpstreamTarget | undefined;
    let bestCredit = -Infinity;
    for (const target of candidates) {
      const weight = Math.max(0, target.weight);
      total += weight;
      const updated = (credit.get(target) ?? 0) + weight;
      credit.set(target, updated);
      if (updated > bestCredit) {
        bestCredit = updated;
        best = target;
      }
    }
    if (best === undefined) throw new Error('smooth weighted balancing needs at least one candidate');
    credit.set(best, bestCredit - total);
    return best;
  };
}

/** The lowest score wins; ties rotate so equal targets share the load. */
function lowestScore(score: (target: UpstreamTarget) => number, tieBreak: Chooser): Chooser {
  return (candidates) => {
    let lowest = Infinity;
    let tied: UpstreamTarget[] = [];
    for (const target of candidates) {
      const value = score(target);
      if (value < lowest) {
        lowest = value;
        tied = [target];
      } else if (value === lowest) {
        tied.push(target);
      }
    }
    return tied.length === 1 ? (tied[0] as UpstreamTarget) : tieBreak(tied);
  };
}
