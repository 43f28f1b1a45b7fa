// The profile comparison behind docs/decisions.md "The production row over its floor": self time a request by
// group, start-up and idle time left out.
import { strict as assert } from 'node:assert';
import { gapTable, timePerRequest } from './cpuProfileGap';
import type { ProfileNode } from './cpuProfileTop';

const frame = (id: number, functionName: string, url = ''): ProfileNode => ({ id, callFrame: { functionName, url, lineNumber: 0 } });

describe('bench: cpuProfileGap', () => {
  const profile = {
    nodes: [
      frame(1, 'wrapSafe', 'node:internal/modules/cjs/loader'),
      frame(2, 'parserOnHeadersComplete', 'node:_http_common'),
      frame(3, '(idle)'),
      frame(4, 'dispatch', 'file:///repo/node_modules/koa-compose/index.js'),
      frame(5, 'writev'),
      frame(6, 'parseJson', 'file:///repo/out/runtime/src/providers/openaiShapes.js'),
    ],
    samples: [1, 2, 3, 4, 5, 6, 4],
    timeDeltas: [500, 10, 1000, 20, 30, 40, 20],
  };

  it('counts from the first request on, without idle time, per request and by group', () => {
    const times = timePerRequest(profile, 10);
    assert.deepEqual(Object.fromEntries(times), {
      'node http': 1,
      Koa: 4,
      'syscalls: socket and file writes': 3,
      translation: 4,
    });
  });

  it('tabulates the difference, largest first, with the totals', () => {
    const table = gapTable(
      new Map([
        ['Koa', 4],
        ['translation', 1],
      ]),
      new Map([['translation', 2]]),
    );
    assert.deepEqual(table.slice(2), ['| Koa | 4.0 | 0.0 | +4.0 |', '| translation | 1.0 | 2.0 | -1.0 |', '| total (main thread, busy) | 5.0 | 2.0 | +3.0 |']);
  });
});
