// Request ids are random version 4 UUIDs (callers may parse or store them as such), all different, with every
// random digit free to take any value, including across refills of the entropy cache.
import assert from 'node:assert/strict';
import { newRequestId } from '../../runtime/src/gateway/requestId';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  const ids = Array.from({ length: 5000 }, () => newRequestId()); // ~39 fills of the 128-id cache

  it('are lowercase RFC 9562 version 4 UUIDs', () => {
    for (const id of ids) assert.match(id, V4);
  });

  it('never repeat', () => {
    assert.equal(new Set(ids).size, ids.length);
  });

  it('use every hex digit at every random position, and every variant digit', () => {
    for (let position = 0; position < 36; position++) {
      if (position === 8 || position === 13 || position === 18 || position === 23 || position === 14) continue; // dashes, the version
      const seen = new Set(ids.map((id) => id[position]));
      assert.equal(seen.size, position === 19 ? 4 : 16, `position ${position}: ${[...seen].sort().join('')}`);
    }
  });

  it('are strings of their own, not views of a reused buffer', () => {
    const first = newRequestId();
    const copy = `${first}`;
    for (let i = 0; i < 300; i++) newRequestId();
    assert.equal(first, copy);
  });
});
