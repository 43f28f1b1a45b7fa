// Preloaded (`node --expose-gc --require heapProbe.js`) into the processes `npm run bench:soak` and heapDiff.ts start,
// which spawn them with an IPC channel: on the message 'heap' the process runs a full garbage collection and answers
// with the heap used after it; on { snapshot: FILE } it writes a heap snapshot there (V8 collects garbage first) and
// answers with the heap used. Only these benches load this; the gateway itself has no such path and nothing listens on a port.
import { writeHeapSnapshot } from 'node:v8';
import type { HeapReport } from './soakFigures';

process.channel?.unref(); // the channel must not keep a process alive that is told to stop

process.on('message', (message: unknown) => {
  const snapshot = typeof message === 'object' && message !== null && 'snapshot' in message ? message.snapshot : undefined;
  if (message !== 'heap' && typeof snapshot !== 'string') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('heapProbe needs node --expose-gc');
  gc();
  if (typeof snapshot === 'string') writeHeapSnapshot(snapshot);
  const report: HeapReport = { heapUsedBytes: process.memoryUsage().heapUsed };
  process.send?.(report);
});
