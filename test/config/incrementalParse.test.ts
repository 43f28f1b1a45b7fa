import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { isPair, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type YAMLMap } from 'yaml';
import { loadConfig, runSteps, YamlParseCache } from '../../common/src/config';
import { PARSE_OPTIONS, parseYaml, type ParsedYaml } from '../../common/src/config/yamlSource';
import { generatedConfig } from '../server/generatedConfig';

/** Every node's range, in document order: equal lists mean every diagnostic lands on the same text. */
function ranges(document: Document.Parsed): string[] {
  const out: string[] = [];
  visit(document, {
    Pair: (_k, pair) => {
      if (isPair(pair) && pair.key) out.push(`key ${JSON.stringify((pair.key as Node).range)}`);
    },
    Node: (_k, node) => {
      out.push(`${node.constructor.name} ${JSON.stringify(node.range)}`);
    },
  });
  return out;
}

/** yaml's own parseDocument with the config model's options: what every way of parsing must give. */
function parseYamlDocumentAsYamlDoes(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { ...PARSE_OPTIONS, lineCounter });
  return { document, lineCounter, syntax: parseYaml(text).syntax };
}

/** The document's value, or the error its expansion throws (an edit can leave an alias unresolved). */
function valueOf(document: Document.Parsed): unknown {
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { threw: err instanceof Error ? err.message : String(err) };
  }
}

/** How a test drives the cache: at once, or in steps from the first version on (as the language server validates). */
type Drive = (cache: YamlParseCache, text: string) => ParsedYaml;
const atOnce: Drive = (cache, text) => cache.parse(text);
const inSteps: Drive = (cache, text) => runSteps(cache.parseSteps(text));

/** An edit as the property below draws it: at a line (modulo the line count) and column, delete and insert. */
interface Edit {
  line: number;
  col: number;
  del: number;
  insert: string;
}

function applyEdit(text: string, e: Edit): string {
  const current = text.split('\n');
  const start =
    current.slice(0, e.line % current.length).reduce((n, l) => n + l.length + 1, 0) + Math.min(e.col, (current[e.line % current.length] ?? '').length);
  return text.slice(0, start) + e.insert + text.slice(Math.min(text.length, start + e.del));
}

function assertSameAsFullParse(cache: YamlParseCache, text: string, drive: Drive = atOnce): void {
  const full = parseYamlDocumentAsYamlDoes(text);
  const incremental = drive(cache, text);
  assert.deepEqual(incremental.syntax, full.syntax);
  if (full.syntax.length > 0) return;
  assert.deepEqual(valueOf(incremental.document), valueOf(full.document));
  assert.deepEqual(ranges(incremental.document), ranges(full.document));
  assert.deepEqual(loadConfig(text, { env: {}, parseCache: cache }).diagnostics, loadConfig(text, { env: {} }).diagnostics);
}

describe('config model: incremental parse', function () {
  this.timeout(120_000);
  const base = generatedConfig(30).replace('version: 1', 'version: 1 # the format\ncallback: http://127.0.0.1:9/hook');

  it('gives exactly what a full parse gives, for random edits of a large config', () => {
    const lines = base.split('\n');
    const replacement = fc.constantFrom(
      '',
      'x',
      '\n',
      '  ',
      '    timeout: 5s\n',
      '  - path: /new\n    target: mock://openai\n',
      '# note\n',
      ':',
      '- ',
      'routes:\n',
      '&a ',
      '*a',
      '"',
      'auth: jwt',
      '\t',
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ line: fc.nat(lines.length - 1), col: fc.nat(12), del: fc.nat(6), insert: replacement }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(atOnce, inSteps),
        (edits, drive) => {
          // In steps, the first version is parsed chunk by chunk too (past the size that makes that the default).
          const cache = drive === inSteps ? new YamlParseCache(0, 0) : new YamlParseCache(0);
          let text = base;
          assertSameAsFullParse(cache, text, drive);
          for (const e of edits) {
            text = applyEdit(text, e);
            assertSameAsFullParse(cache, text, drive);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives what a full parse gives when an item ends in a comment indented past its dash (found by the property above)', () => {
    const routes = generatedConfig(30);
    for (const indent of [0, 2, 3, 4, 5, 6, 8, 9, 12]) {
      const cache = new YamlParseCache(0);
      assertSameAsFullParse(cache, routes);
      const at = routes.indexOf('  - name: route-7');
      assertSameAsFullParse(cache, `${routes.slice(0, at)}${' '.repeat(indent)}# note\n${routes.slice(at)}`);
    }
  });

  it('ends a list over the comments after its last item, as a whole parse does (found by the property above)', () => {
    // FC_SEED=2013799548: `    retries: 2` of the last route becomes `  # note` and a top-level `retries: 2`; yaml
    // ends the list's range (with its trailing comments) after the comment, its last item's map before it. Its
    // shrunk sibling: `    # note`, a comment the map does hold, which also ends the list's value range.
    for (const first of [
      { line: 276, col: 2, del: 2, insert: '# note\n' },
      { line: 276, col: 4, del: 0, insert: '# note\n' },
    ]) {
      const cache = new YamlParseCache(0);
      let text = base;
      assertSameAsFullParse(cache, text);
      for (const e of [first, { line: 0, col: 0, del: 0, insert: '' }]) {
        text = applyEdit(text, e);
        assertSameAsFullParse(cache, text);
      }
    }
    const at = base.indexOf('retries: 2\nsecurity:');
    for (const comment of ['  # note\n', '   # note\n', '    # note\n', '\n  # note\n\n', '  # note\n# top\n', '# top\n  # note\n', '# top\n']) {
      const cache = new YamlParseCache(0);
      assertSameAsFullParse(cache, base);
      assertSameAsFullParse(cache, `${base.slice(0, at)}${comment}${base.slice(at)}`);
    }
  });

  it('ends a list where the item that became its last says, for an item first seen in the middle of a whole parse', () => {
    // The whole parse knows the list's end for its last item only; removing that item makes the one before it last.
    const routes = generatedConfig(30);
    const last = routes.lastIndexOf('  - name: route-29');
    const withComment = `${routes.slice(0, last)}  # note\n${routes.slice(last)}`;
    const after = withComment.indexOf('security:');
    const cache = new YamlParseCache(0);
    assertSameAsFullParse(cache, withComment);
    assertSameAsFullParse(cache, `${withComment.slice(0, last + '  # note\n'.length)}${withComment.slice(after)}`);
  });

  it("does not take a list's header for a key without a value of the same text (found by the check's property test)", () => {
    const cache = new YamlParseCache(0);
    const withRules = 'version: 1\nroutes:\nsecurity:\n  - auth: none\n';
    assertSameAsFullParse(cache, withRules);
    assertSameAsFullParse(cache, withRules);
    assertSameAsFullParse(cache, 'version: 1\nroutes:\nsecurity:\n');
  });

  it('re-parses a 2,000-route config after a one-character edit by re-using every untouched route', () => {
    const text = generatedConfig(2000);
    const cache = new YamlParseCache();
    const routeNodes = (parsed: ReturnType<YamlParseCache['parse']>): unknown[] => {
      const routes: unknown = (parsed.document.contents as YAMLMap).get('routes', true);
      assert.ok(isSeq(routes));
      return routes.items;
    };
    cache.parse(text);
    const at = text.indexOf('name: route-700') + 'name: route-700'.length;
    const before = routeNodes(cache.parse(`${text.slice(0, at)}y${text.slice(at)}`)); // the first edit cuts the text into chunks
    const again = cache.parse(`${text.slice(0, at)}x${text.slice(at)}`);
    assert.equal(again.syntax.length, 0);
    const after = routeNodes(again);
    assert.equal(after.length, 2000);
    const reused = after.filter((node, index) => node === before[index]).length;
    assert.equal(reused, 1999, 'only the edited route is parsed again');
    assert.equal((after[700] as YAMLMap).get('name'), 'route-700x');
  });
});
