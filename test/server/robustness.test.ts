import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Hover, Position, Range } from 'vscode-languageserver';
import { createLanguageService, RequestRefused } from '../../server/src/service/languageService';
import { generatedConfig } from './generatedConfig';
import { LspClient, ourServerCommand } from './lspClient';

const service = createLanguageService({ env: {} });
const uri = 'file:///w/ai-gateway.yaml';
/** Versions only grow, as an editor's do: the service caches an analysis by uri and version. */
let version = 0;

function assertPosition(document: TextDocument, p: Position, what: string): void {
  assert.ok(Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0, `${what}: ${JSON.stringify(p)}`);
  assert.ok(p.line <= document.lineCount, `${what} line ${p.line} is inside the document (${document.lineCount} lines)`);
}
function assertRange(document: TextDocument, r: Range | undefined, what: string): void {
  assert.ok(r, `${what} has a range`);
  assertPosition(document, r.start, what);
  assertPosition(document, r.end, what);
  assert.ok(document.offsetAt(r.start) <= document.offsetAt(r.end), `${what} starts before it ends`);
}

/** Every feature at `position`, each answer checked for shape. */
function exerciseEverything(document: TextDocument, position: Position): void {
  const diagnostics = service.doValidation(document);
  for (const d of diagnostics) {
    assertRange(document, d.range, 'diagnostic');
    assert.equal(typeof d.message, 'string');
  }
  for (const item of service.doComplete(document, position).items) {
    assert.equal(typeof item.label, 'string');
    if (item.textEdit && 'range' in item.textEdit) assertRange(document, item.textEdit.range, 'completion edit');
  }
  const hover = service.doHover(document, position);
  if (hover) assert.equal(typeof (hover.contents as { value: string }).value, 'string');
  for (const s of service.findDocumentSymbols(document)) assertRange(document, s.range, 'symbol');
  for (const f of service.getFoldingRanges(document)) assert.ok(f.startLine < (f.endLine ?? 0) + 1);
  for (const s of service.getSelectionRanges(document, [position])) assertRange(document, s.range, 'selection');
  for (const a of service.getCodeActions(document, { start: position, end: position }, diagnostics)) {
    for (const e of a.edit?.changes?.[uri] ?? []) assertRange(document, e.range, 'code action edit');
  }
  for (const l of [...service.findDefinition(document, position), ...service.findReferences(document, position)]) assertRange(document, l.range, 'location');
  service.prepareRename(document, position);
  try {
    service.doRename(document, position, '/renamed');
  } catch (err) {
    assert.ok(err instanceof RequestRefused, `a rename fails only by refusing: ${String(err)}`);
    assert.ok(err.message.length > 0);
  }
}

const FRAGMENTS = [
  'routes:\n',
  'security:\n',
  'gateway:\n',
  '  - ',
  '    ',
  'path: /v1/chat',
  'endpoint: /v1/chat',
  'name: chat',
  'target: mock://openai',
  'targets:\n',
  'auth: jwt',
  'auth: api-key',
  'rateLimit: 100/min',
  'rateLimit: { requests: 10/s }',
  ':',
  '- ',
  '\n',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  '&a ',
  '*a',
  '!!str ',
  '#',
  '${',
  '${HOME}',
  '\t',
  '\u0000',
  '\uFFFD',
  '---\n',
  '? ',
  '|\n',
  'loadBalancing: weighted',
  'timeout: 5s',
];

describe('language service robustness', function () {
  this.timeout(120_000);

  it('answers well-formed results for random documents and random edits (fast-check)', () => {
    const doc = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));
    const edit = fc.record({ at: fc.nat(), del: fc.nat(8), insert: fc.constantFrom(...FRAGMENTS) });
    fc.assert(
      fc.property(doc, fc.array(edit, { maxLength: 5 }), fc.nat(), (text, edits, caret) => {
        let document = TextDocument.create(uri, 'yaml', ++version, text);
        exerciseEverything(document, document.positionAt(caret % (text.length + 1)));
        for (const e of edits) {
          const current = document.getText();
          const start = e.at % (current.length + 1);
          const range = { start: document.positionAt(start), end: document.positionAt(Math.min(current.length, start + e.del)) };
          document = TextDocument.create(uri, 'yaml', ++version, TextDocument.applyEdits(document, [{ range, newText: e.insert }]));
          exerciseEverything(document, document.positionAt(start));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps completion edits on the cursor line inside an inline collection spread over lines (a case the property found)', () => {
    const document = TextDocument.create(uri, 'yaml', ++version, '{[$routes:\n{routes:\nHOME}');
    exerciseEverything(document, { line: 1, character: 1 });
  });

  it('survives a YAML alias bomb, binary junk, half-typed documents and a 10 MB file (refused as too large, not parsed)', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const junk = Array.from({ length: 20_000 }, (_, i) => String.fromCharCode((i * 7919) % 65_536)).join('');
    const tenMegabytes = generatedConfig(38_000);
    assert.ok(tenMegabytes.length >= 10 * 1000 * 1000, `${tenMegabytes.length} chars`);
    for (const [name, text] of [
      ['bomb', bomb.join('\n')],
      ['junk', junk],
      ['half-typed', 'routes:\n  - path: /v1/ch\n    targ'],
      ['10 MB', tenMegabytes],
    ] as const) {
      const document = TextDocument.create(uri, 'yaml', ++version, text);
      exerciseEverything(document, document.positionAt(Math.floor(text.length / 2)));
      if (name === 'bomb') assert.ok(service.doValidation(document).some((d) => d.code === 'yaml.aliases'));
      if (name === '10 MB')
        assert.deepEqual(
          service.doValidation(document).map((d) => d.code),
          ['document.tooLarge'],
        );
    }
  });

  it('keeps serving over stdio after a bomb and binary junk', async () => {
    const client = new LspClient(ourServerCommand());
    try {
      await client.initialize();
      await client.open(uri, `\u0000\u0001\uFFFF${'\u00ff'.repeat(1000)}`);
      assert.ok((await client.nextDiagnostics(uri)).diagnostics.length > 0);
      const bombUri = 'file:///w/bomb.gateway.yaml';
      // Ten to the seventh ones from seven short lines.
      const levels = ['a: &a [1,1,1,1,1,1,1,1,1,1]'];
      for (const [name, previous] of ['ba', 'cb', 'dc', 'ed', 'fe', 'gf']) levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`);
      await client.open(bombUri, `${levels.join('\n')}\n`);
      assert.ok((await client.nextDiagnostics(bombUri)).diagnostics.some((d) => d.code === 'yaml.aliases'));
      const hover = await client.connection.sendRequest<Hover | null>('textDocument/hover', {
        textDocument: { uri: bombUri },
        position: { line: 0, character: 0 },
      });
      assert.equal(hover, null);
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });
});
