import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { checkConfig, checkConfigSteps, YamlParseCache, type Steps } from '../../common/src/config';
import { LEXEMES_PER_STEP, PARSE_OPTIONS, parseYaml, parseYamlSteps } from '../../common/src/config/yamlSource';
import { generatedConfig } from '../server/generatedConfig';
import { blockReaderOn, yamlOnly } from './sameYamlDocument';

/** Runs steps to the end, counting the pauses between them. */
function countSteps<T>(steps: Steps<T>): { value: T; pauses: number } {
  for (let pauses = 0; ; pauses++) {
    const next = steps.next();
    if (next.done) return { value: next.value, pauses };
  }
}

const PIECES = ['routes:\n', '  - ', 'path: /a', ': ', '"', "'", '[', ']', '{', '}', '&a ', '*a', '#c', '\n', '    ', '---\n', '? ', '|\n', '\t', 'x'];

describe('config model: parsing in steps', () => {
  it("gives yaml's parseDocument exactly: the same values, ranges and errors (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), (parts) => {
        const text = parts.join('');
        const ours = parseYaml(text).document;
        const theirs = parseDocument(text, PARSE_OPTIONS);
        assert.deepEqual(
          ours.errors.map((e) => [e.code, e.pos]),
          theirs.errors.map((e) => [e.code, e.pos]),
        );
        assert.deepEqual(JSON.stringify(ours.contents), JSON.stringify(theirs.contents));
        assert.deepEqual(ours.range, theirs.range);
      }),
      { numRuns: 500 },
    );
  });

  it('pauses every LEXEMES_PER_STEP tokens of a document that cannot be cut into items', () => {
    // 20,000 uses of a 100-character route: more than aliases may add (MAX_ALIAS_EXPANSION), so refused.
    const aliased = [`x: &r { path: /a, target: "mock://openai/${'v'.repeat(80)}" }`, 'routes:', ...Array.from({ length: 20_000 }, () => '  - *r')].join('\n');
    const tokens = 20_000 * 5; // indent, `-`, space, alias, newline
    const { value, pauses } = countSteps(parseYamlSteps(aliased));
    assert.equal(value.syntax.length, 0);
    assert.ok(pauses >= tokens / LEXEMES_PER_STEP, `${pauses} pauses`);
    const checked = countSteps(checkConfigSteps(aliased, { env: {}, parseCache: new YamlParseCache() }));
    assert.deepEqual(
      checked.value.diagnostics.map((d) => d.code),
      ['yaml.aliases'],
    );
    assert.ok(checked.pauses >= tokens / LEXEMES_PER_STEP);
  });

  it('parses a 2,000-route config seen for the first time whole: in one step of the block reader, or pausing every LEXEMES_PER_STEP tokens of yaml', () => {
    const text = generatedConfig(2000);
    const read = blockReaderOn(() => countSteps(checkConfigSteps(text, { env: {}, parseCache: new YamlParseCache() })));
    // The block reader reads it in one step; then expansion, schema and rules take one step each.
    assert.ok(read.pauses <= 5, `${read.pauses} pauses`);
    const { value, pauses } = yamlOnly(() => countSteps(checkConfigSteps(text, { env: {}, parseCache: new YamlParseCache() })));
    assert.ok(pauses >= 200_000 / LEXEMES_PER_STEP, `${pauses} pauses`);
    assert.deepEqual(value.diagnostics, checkConfig(text, { env: {} }).diagnostics);
    assert.deepEqual(read.value.diagnostics, value.diagnostics);
  });

  it('parses a document past the chunking size seen for the first time item by item, pausing between groups of items, with the same result', () => {
    const text = generatedConfig(2000);
    const { value, pauses } = countSteps(checkConfigSteps(text, { env: {}, parseCache: new YamlParseCache(64 * 1024, 256 * 1024) }));
    // 4,000 items (2,000 routes, 2,000 security rules) parsed 100 at a time, then expansion, schema and rules.
    assert.ok(pauses >= 40, `${pauses} pauses`);
    assert.deepEqual(value.diagnostics, checkConfig(text, { env: {} }).diagnostics);
    assert.deepEqual(JSON.stringify(value.document.contents), JSON.stringify(parseDocument(text, PARSE_OPTIONS).contents));
  });
});
