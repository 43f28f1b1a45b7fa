// Child processes a test started (redis-server, gateway replicas) die with the test process, even when it fails
// half-way; one exit listener for all of them.
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let listening = false;

export function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (listening) return;
  listening = true;
  process.once('exit', () => {
    for (const leftover of running) leftover.kill('SIGKILL');
  });
}
