// CPU time of a process's main thread and of its other threads (a V8 process's compiler and GC helpers), and the
// main thread's time waiting for a core, from Linux /proc/<pid>/task/*/schedstat (nanoseconds, finer than /proc's
// 10 ms ticks); undefined elsewhere or once the process exited.
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadCpu {
  /** On-CPU time of the main thread, ms. */
  mainMs: number;
  /** Time the main thread was runnable but waiting for a core, ms. */
  mainWaitMs: number;
  /** On-CPU time of every other thread, ms. */
  otherMs: number;
}

export function threadCpu(pid: number | undefined): ThreadCpu | undefined {
  if (pid === undefined) return undefined;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const total: ThreadCpu = { mainMs: 0, mainWaitMs: 0, otherMs: 0 };
  for (const task of tasks) {
    let fields: number[];
    try {
      fields = readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'latin1').trim().split(' ').map(Number);
    } catch {
      continue; // a thread that ended meanwhile
    }
    const [runNs = 0, waitNs = 0] = fields;
    if (Number(task) === pid) {
      total.mainMs += runNs / 1e6;
      total.mainWaitMs += waitNs / 1e6;
    } else total.otherMs += runNs / 1e6;
  }
  return total;
}

/** What a process's threads spent between two readings (threads that ended in between are not counted). */
export function threadCpuSince(before: ThreadCpu | undefined, after: ThreadCpu | undefined): ThreadCpu | undefined {
  if (!before || !after) return undefined;
  return { mainMs: after.mainMs - before.mainMs, mainWaitMs: after.mainWaitMs - before.mainWaitMs, otherMs: after.otherMs - before.otherMs };
}
