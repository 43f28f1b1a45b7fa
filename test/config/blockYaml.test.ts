import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkConfig } from '../../common/src/config';
import { parseYaml, readBlock } from '../../common/src/config/yamlSource';
import { generatedConfig } from '../server/generatedConfig';
import { blockReaderOn, documentData, yamlOnly } from './sameYamlDocument';

/** Whether the block reader takes `text`; when it does, its document must be yaml's, whole. */
function assertSameAsYaml(text: string): boolean {
  const block = readBlock(text);
  if (!block) return false;
  const yaml = yamlOnly(() => parseYaml(text));
  assert.deepStrictEqual(documentData(block), documentData(yaml), `for the text:\n${text}`);
  return true;
}

// Random block YAML: mappings and lists nested a few levels, scalars of every kind the reader takes and many it does
// not, rendered with a choice of indents, then decorated with blank lines, comments and spaces in random places.
type Tree = string | { map: [string, Tree][] } | { seq: Tree[] };

/** Scalars the reader takes. */
const plainScalar = fc.constantFrom(
  'x',
  'route-1',
  '/v1/chat',
  'http://127.0.0.1:9000',
  '30s',
  '2',
  '-1',
  '0x1F',
  '0o17',
  '1e3',
  '1.5',
  '.inf',
  '~',
  'null',
  'true',
  'False',
  'a b',
  'a#b',
  'é',
  '"quoted"',
  '"two words"',
  "'single'",
  '""',
  "''",
  '[POST]',
  '[POST, GET]',
  '[]',
  '["x", y]',
  '12:30',
  'a  b',
);
/** Scalars it declines, or that are not scalars at all. */
const otherScalar = fc.constantFrom(
  "'it''s'",
  '"a\\"b"',
  '" x"',
  'a #b',
  'a: b',
  'a:',
  '[ POST ]',
  '[a,b]',
  '[a, [b]]',
  '{a: 1}',
  '&anchor x',
  '*alias',
  '!tag x',
  '|',
  '>',
  '- x',
  '-',
  '@x',
  '',
);
/** Lines of `node` as the value of a key or an item at `indent`; `step`: how much deeper a nested block goes. */
function render(node: Tree, indent: number, step: number, compactLists: boolean): string[] {
  const pad = ' '.repeat(indent);
  if (typeof node === 'string') return [`${pad}${node}`];
  if ('map' in node) {
    return node.map.flatMap(([k, v]) =>
      typeof v === 'string' ? [`${pad}${k}: ${v}`] : [`${pad}${k}:`, ...render(v, 'seq' in v && compactLists ? indent : indent + step, step, compactLists)],
    );
  }
  return node.seq.flatMap((item) => {
    const lines = render(item, indent + 2, step, compactLists);
    const first = (lines[0] as string).slice(indent + 2);
    return [`${pad}- ${first}`, ...lines.slice(1)];
  });
}

const plainKey = fc.constantFrom('name', 'path', 'url', 'x-key', 'a.b', '200', 'true', 'null', 'Key_1', 'weight');
const otherKey = fc.constantFrom('"quoted"', 'a b', '<<', '? x');

/**
 * Random documents. `clean`: only what the reader takes, so that most of them reach the comparison (comments are then
 * put at the column of the line after them, or after a value); otherwise a little of everything else too.
 */
function documents(clean: boolean): fc.Arbitrary<string> {
  const scalar = clean ? plainScalar : fc.oneof({ arbitrary: plainScalar, weight: 60 }, { arbitrary: otherScalar, weight: 1 });
  const key = clean ? plainKey : fc.oneof({ arbitrary: plainKey, weight: 100 }, { arbitrary: otherKey, weight: 1 });
  const { tree } = fc.letrec<{ tree: Tree; map: Tree; seq: Tree }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('map'), tie('seq')),
    map: fc.array(fc.tuple(key, tie('tree')), { minLength: 1, maxLength: 4 }).map((entries) => ({ map: entries })),
    // Mostly scalars and mappings in a list: a list in a list ("- - x") is declined.
    seq: fc
      .array(fc.oneof({ arbitrary: scalar, weight: 4 }, { arbitrary: tie('map'), weight: 4 }, { arbitrary: tie('seq'), weight: clean ? 0 : 1 }), {
        minLength: 1,
        maxLength: 3,
      })
      .map((items) => ({ seq: items })),
  }));
  const decoration = fc.record({
    at: fc.nat(),
    what: clean
      ? fc.constantFrom('blank', 'commentAtNextColumn', 'emptyCommentAtNextColumn', 'trailingComment')
      : fc.oneof(
          { arbitrary: fc.constantFrom('blank', 'comment', 'commentAtNextColumn', 'emptyComment', 'trailingComment'), weight: 8 },
          { arbitrary: fc.constantFrom('spaces', 'trailingSpaces', 'tab'), weight: 1 },
        ),
    indent: fc.constantFrom(0, 2, 4, 6, 8, 1),
  });
  return fc
    .record({
      root: fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 4 }),
      step: fc.constantFrom(2, 2, 2, 4, 1),
      compactLists: clean ? fc.constant(false) : fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 }),
      decorations: fc.array(decoration, { maxLength: 5 }),
      finalNewline: fc.boolean(),
    })
    .map(({ root, step, compactLists, decorations, finalNewline }) => {
      const lines = render({ map: root }, 0, step, compactLists);
      for (const { at, what, indent } of decorations) {
        const i = at % (lines.length + 1);
        const pad = ' '.repeat(indent);
        const nextColumn = ' '.repeat(/^ */.exec(lines[i] ?? '')?.[0].length ?? 0);
        if (what === 'blank') lines.splice(i, 0, '');
        else if (what === 'comment') lines.splice(i, 0, `${pad}# note ${i}`);
        else if (what === 'commentAtNextColumn') lines.splice(i, 0, `${nextColumn}# before`);
        else if (what === 'emptyCommentAtNextColumn') lines.splice(i, 0, `${nextColumn}#`);
        else if (what === 'emptyComment') lines.splice(i, 0, `${pad}#`);
        else if (what === 'spaces') lines.splice(i, 0, pad || ' ');
        else if (i < lines.length && what === 'trailingComment') lines[i] += ' # why';
        else if (i < lines.length && what === 'trailingSpaces') lines[i] += '  ';
        else if (i < lines.length && what === 'tab') lines[i] = `\t${lines[i] as string}`;
      }
      return lines.join('\n') + (finalNewline ? '\n' : '');
    });
}

describe('config model: the block YAML reader', function () {
  this.timeout(120_000);

  for (const clean of [true, false]) {
    it(`gives yaml's document, whole, for every random document it takes (${clean ? 'documents it reads, with comments and blank lines anywhere' : 'anything'})`, () => {
      let taken = 0;
      let runs = 0;
      fc.assert(
        fc.property(documents(clean), (text) => {
          runs++;
          if (assertSameAsYaml(text)) taken++;
        }),
        { numRuns: 2000 },
      );
      // Not a vacuous property: enough of the random documents are plain block YAML the reader takes.
      assert.ok(taken > runs * (clean ? 0.3 : 0.05), `the reader took ${taken} of ${runs} documents`);
    });
  }

  it('takes the generated 2,000-route config, and its checks are the same either way', () => {
    const text = generatedConfig(2000);
    assert.equal(assertSameAsYaml(text), true);
    const edited = text
      .replace('version: 1', 'version: 1 # the format\n\n# where it listens')
      .replace('  - name: route-7\n', '\n  # the seventh\n  - name: route-7\n');
    assert.equal(assertSameAsYaml(edited), true);
    for (const config of [text, edited]) {
      assert.deepEqual(
        blockReaderOn(() => checkConfig(config, { env: {} }).diagnostics),
        yamlOnly(() => checkConfig(config, { env: {} }).diagnostics),
      );
    }
  });

  it('takes comments where configs have them: at the top, before a key or an item at its column, after a value', () => {
    const cases = [
      '# top\nversion: 1\n',
      '# top\n# more\n\nversion: 1\n',
      'a: 1 # why\nb: "x" # why\nc: [POST, GET]\n',
      'a:\n  # first\n  x: 1\n  # second\n  y: 2\n',
      'routes:\n\n  # first\n  - name: a\n    # inner\n    path: /a\n\n  # next\n  - name: b\n# last key\nsecurity:\n  - x\n',
    ];
    for (const text of cases) assert.equal(assertSameAsYaml(text), true, text);
  });

  it("declines what it does not read, and the config model then gives yaml's own diagnostics", () => {
    const declined = [
      'a: &x 1\nb: *x\n',
      'a: |\n  text\n',
      'a: {b: 1}\n',
      'a: multi\n  line\n',
      'a:\n  x: 1\n  # a comment at the end of a mapping\nb: 1\n',
      'a: 1\n# a comment at the end\n',
      '---\na: 1\n',
      '- a\n',
      'a:\n- b\n',
      'a:\n',
      'a: "x\\ty"\n',
      'a: 1\nb:\tx\n',
      'a: b: c\n',
    ];
    for (const text of declined) {
      assert.equal(readBlock(text), undefined, text);
      assert.deepEqual(
        blockReaderOn(() => checkConfig(text, { env: {} }).diagnostics),
        yamlOnly(() => checkConfig(text, { env: {} }).diagnostics),
      );
    }
  });
});
