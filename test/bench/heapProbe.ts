// Preloaded (`node --expose-gc --require heapProbe.js`) into the processes `npm run bench:soak` starts, which it
// spawns with an IPC channel: on the message 'heap' the process runs a full garbage collection and answers with the
// heap used after it. Only the soak bench loads this; the gateway itself has no such path and nothing listens on a port.
import type { HeapReport } from './soakFigures';

process.channel?.unref(); // the channel must not keep a process alive that is told to stop

process.on('message', (message: unknown) => {
  if (message !== 'heap') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('heapProbe needs node --expose-gc');
  gc();
  const report: HeapReport = { heapUsedBytes: process.memoryUsage().heapUsed };
  process.send?.(report);
});
