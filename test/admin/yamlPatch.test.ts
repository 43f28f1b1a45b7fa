// The text patch behind "nothing lost": a changed value replaces only its own text; everything else in the file
// (comments, blank lines, flow lists, quoting, alignment) stays byte for byte; and whatever the change, the
// result parses back to exactly the data asked for.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { patchedText, sameData, yamlData, yamlWithChanges } from '../../runtime/src/configStore/yamlPatch';
import { repoRoot } from '../support/cli';

const FULL = readFileSync(path.join(repoRoot, 'test/fixtures/full.yaml'), 'utf8');

type Data = Record<string, unknown> & { routes: Record<string, unknown>[]; security: Record<string, unknown>[]; gateway: Record<string, unknown> };

function changed(edit: (data: Data) => void): string {
  const data = yamlData(FULL) as Data;
  edit(data);
  const text = yamlWithChanges(FULL, data);
  assert.deepEqual(yamlData(text), data);
  assert.equal(patchedText(FULL, data), text, 'the text patch itself, not the re-rendered document');
  return text;
}

describe('yamlWithChanges', () => {
  it('leaves the text alone when nothing changed', () => {
    assert.equal(yamlWithChanges(FULL, yamlData(FULL)), FULL);
  });

  it('changes one scalar in place, keeping the trailing comment and alignment', () => {
    const text = changed((d) => (d.routes[0]!.loadBalancing = 'least-latency'));
    assert.equal(text, FULL.replace('loadBalancing: round-robin        #', 'loadBalancing: least-latency        #'));
  });

  it('appends a list item after the last one, in block style like its siblings, with flow lists for scalars', () => {
    const text = changed((d) => d.routes.push({ path: '/embed', methods: ['POST'], target: 'mock://openai' }));
    assert.equal(text, FULL.replace('security:\n', '  - path: /embed\n    methods: [POST]\n    target: mock://openai\nsecurity:\n'));
  });

  it('removes a list item with the comment lines right above it, and a key', () => {
    const commented = FULL.replace('  - name: predict\n', '  # the predict route\n  - name: predict\n');
    const data = yamlData(commented) as Data;
    data.routes.splice(1, 1);
    delete data.routes[0]!.retries;
    const text = yamlWithChanges(commented, data);
    assert.deepEqual(yamlData(text), data);
    assert.ok(!text.includes('the predict route') && !text.includes('retries: 2'));
    assert.ok(text.includes('    loadBalancing: round-robin        # weighted'));
  });

  it('adds a new top-level section where a person would put it', () => {
    const text = yamlWithChanges('# head\nroutes:\n  - path: /a\n    target: http://a:1\n', {
      gateway: { logLevel: 'debug' },
      routes: [{ path: '/a', target: 'http://a:1' }],
    });
    assert.equal(text, '# head\ngateway:\n  logLevel: debug\n\nroutes:\n  - path: /a\n    target: http://a:1\n');
  });

  it('fills an empty file, keeping its comments', () => {
    assert.equal(
      yamlWithChanges('# starter\n', { routes: [{ path: '/a', target: 'http://a:1' }] }),
      '# starter\nroutes:\n  - path: /a\n    target: http://a:1\n',
    );
  });

  // fast-check seed -789213324: a flow map wrapping a multi-line string was pasted at column 0 and did not parse.
  it('writes a map holding a multi-line string and a key that needs quotes on one line', () => {
    const text = changed((d) => (d.routes[0]![' '] = { ' ': 'multi\nline' }));
    assert.equal(text, FULL.replace('interval: 5s }\n', 'interval: 5s }\n    " ": {" ": "multi\\nline"}\n'));
  });

  it('writes a multi-line string in a block list item quoted, so the trailing comment after it stays a comment', () => {
    const text = changed((d) => (d.routes[0]!.loadBalancing = ['x'.repeat(60), { deep: 'a\nb' }, 'one\ntwo']));
    const block = `loadBalancing:\n      - ${'x'.repeat(60)}\n      - {deep: "a\\nb"}\n      - "one\\ntwo"        #`;
    assert.equal(text, FULL.replace('loadBalancing: round-robin        #', block));
  });

  it('writes a block map emptied of all its keys as {}, not as a bare key that reads as null', () => {
    const text = changed((d) => (d.gateway = {}));
    assert.equal(text, FULL.replace('gateway:\n  listen: 127.0.0.1:8080\n  logLevel: info\n', 'gateway: {}\n'));
  });

  it('always produces text that parses to the requested data (property)', () => {
    const scalar = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('100/min', '${VAR}', 'a: b', '# not a comment', 'multi\nline'),
    );
    const value = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('routes', 'security', 'gateway', 'callback', 'extra'), fc.nat(3), fc.string({ minLength: 1, maxLength: 6 }), value), {
          maxLength: 4,
        }),
        (edits) => {
          const data = yamlData(FULL) as Record<string, unknown>;
          for (const [section, index, key, v] of edits) {
            const target = data[section];
            if (Array.isArray(target) && target[index] && typeof target[index] === 'object') (target[index] as Record<string, unknown>)[key] = v;
            else data[section] = v;
          }
          const expected: unknown = JSON.parse(JSON.stringify(data));
          // The text patch may decline, but never writes wrong text (the re-rendered fallback would hide that).
          const patched = patchedText(FULL, data);
          assert.ok(patched === undefined || sameData(yamlData(patched), expected), `wrong text patch:\n${patched}`);
          assert.deepEqual(yamlData(yamlWithChanges(FULL, data)), expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
