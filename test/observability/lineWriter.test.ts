// The gateway's stdout writer, on real descriptors: a file takes every line of a turn in one write, in order; a
// non-blocking FIFO nobody reads fills up, and then the writer keeps what it holds in order, bounds it, counts what
// it had to drop, and says so in the log once the reader catches up.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { LineWriter } from '../../runtime/src/observability/lineWriter';

const line = (n: number): string => `${JSON.stringify({ level: 30, n, msg: 'x'.repeat(80) })}\n`;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('log line writer', function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'line-writer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the lines of one turn together, in order, when the turn ends', async function () {
    const file = path.join(dir, 'out.log');
    const fd = openSync(file, 'w');
    try {
      const writer = new LineWriter(fd);
      for (let n = 0; n < 3; n++) writer.write(line(n));
      assert.equal(readFileSync(file, 'utf8'), '', 'nothing is written before the turn ends');
      await turn();
      await turn();
      assert.deepEqual(
        readFileSync(file, 'utf8')
          .trimEnd()
          .split('\n')
          .map((text) => (JSON.parse(text) as { n: number }).n),
        [0, 1, 2],
      );
    } finally {
      closeSync(fd);
    }
  });

  it('holds lines in order while a non-blocking stdout is full, drops past its bound, and logs the count', async function () {
    const fifo = path.join(dir, 'stdout.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      const writer = new LineWriter(fd, { maxHeldBytes: 256 * 1024 });
      // More than the FIFO (64 KB) and the bound (256 KB) together, over several turns, with nobody reading.
      let next = 0;
      for (let batch = 0; batch < 8; batch++) {
        for (let i = 0; i < 500; i++) writer.write(line(next++));
        await turn();
      }
      const written = next;

      let received = '';
      const chunk = Buffer.alloc(64 * 1024);
      const readAvailable = (): void => {
        for (;;) {
          try {
            const bytes = readSync(reader, chunk, 0, chunk.length, null);
            if (bytes === 0) return;
            received += chunk.subarray(0, bytes).toString('utf8');
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return;
            throw err;
          }
        }
      };
      // The reader catches up; the writer retries every 10 ms until everything held, and the notice, are out.
      for (let waited = 0; waited < 5_000 && !received.includes('log lines dropped'); waited += 20) {
        readAvailable();
        await delay(20);
      }
      writer.write(line(next++)); // a line after the gap
      await delay(50);
      readAvailable();

      const entries = received
        .trimEnd()
        .split('\n')
        .map((text) => JSON.parse(text) as { n?: number; dropped?: number; msg: string; level: number });
      const notice = entries.findIndex((entry) => entry.dropped !== undefined);
      assert.ok(notice > 0, 'a line reports the drop');
      const kept = entries.slice(0, notice).map((entry) => entry.n);
      assert.deepEqual(
        kept,
        kept.map((_n, index) => index),
        'the lines before the gap are the first ones, in order, none twice',
      );
      assert.equal(entries[notice]?.dropped, written - kept.length, 'every line not written is counted');
      assert.equal(entries[notice]?.level, 40);
      assert.ok(kept.length * line(0).length <= 256 * 1024 + 64 * 1024 + line(0).length, `held about the bound, not everything (${kept.length} lines)`);
      assert.deepEqual(
        entries.slice(notice + 1).map((entry) => entry.n),
        [written],
        'lines after the gap follow the notice',
      );
    } finally {
      closeSync(fd);
      closeSync(reader);
    }
  });
});
