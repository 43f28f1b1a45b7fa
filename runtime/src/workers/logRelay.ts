// One log for all workers of gateway.workers: each worker writes its JSON lines to its stdout, a pipe to the primary,
// and the primary writes them to its own stdout whole lines at a time, so lines of two workers never interleave
// (however long a line, and whatever stdout is: a pipe, a file, a terminal). A line a worker was cut off in the
// middle of (it died) is ended with a newline rather than glued to the next worker's line.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { stdoutLines } from '../observability/lineWriter';

export function relayLines(from: Readable): void {
  const out = stdoutLines();
  const decoder = new StringDecoder('utf8');
  let partial = '';
  from.on('data', (chunk: Buffer) => {
    const text = partial + decoder.write(chunk);
    const end = text.lastIndexOf('\n') + 1;
    partial = text.slice(end);
    if (end > 0) out.write(end === text.length ? text : text.slice(0, end));
  });
  from.on('end', () => {
    const rest = partial + decoder.end();
    partial = '';
    if (rest.length > 0) out.write(`${rest}\n`);
  });
}
