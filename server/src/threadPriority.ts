// An open of a large config is about half main-thread work and half V8's work on its worker threads (optimizing hot
// functions, helping the collector). On an idle machine that half runs on another core; on a busy one it takes from
// the same share of the CPU the main thread needs, and the open waits for both. Optimized code only speeds up what
// follows, so the worker threads run at the lowest priority: under load the main thread keeps the process's share,
// and they run when it idles (or when a core is free). Linux only (a thread id is a `setpriority` target there).
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value of the server's threads other than the main one. */
export const BACKGROUND_THREAD_NICENESS = 19;

/** `AI_GATEWAY_LS_BACKGROUND_PRIORITY=normal` in the server's environment leaves every thread as it started. */
export const backgroundPriorityLowered = (): boolean => process.env.AI_GATEWAY_LS_BACKGROUND_PRIORITY !== 'normal';

/**
 * Lowers the priority of every thread of this process but the main one (V8's worker threads, which exist from the
 * start; threads the main thread starts later, such as libuv's pool, keep its priority). Returns how many it lowered.
 */
export function lowerBackgroundThreadPriority(niceness = BACKGROUND_THREAD_NICENESS): number {
  if (process.platform !== 'linux') return 0;
  let threads: string[];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const thread of threads) {
    const id = Number(thread);
    if (id === process.pid || !Number.isInteger(id)) continue;
    try {
      setPriority(id, niceness);
      lowered++;
    } catch {
      // A thread that ended meanwhile, or a system that refuses: it keeps its priority.
    }
  }
  return lowered;
}
