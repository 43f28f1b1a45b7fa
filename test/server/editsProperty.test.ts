// Every code action and every rename leaves a document that parses and has no new diagnostics, over random configs
// whose lists are written every way YAML allows: block (at two indents), inline, inline over lines, empty, null,
// missing, with comments between and after the items. Some configs carry a mistake a quick fix is offered for.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createLanguageService, RequestRefused } from '../../server/src/service/languageService';
import { applyEdit } from './caretFixture';

const service = createLanguageService({ env: {} });
const uri = 'file:///w/ai-gateway.yaml';
let version = 1_000_000;

type Field = [string, string | [string, string][][]];
interface Item {
  block: string[];
  flow: string;
}

/** One mapping as block lines (relative to its dash) and as `{ ... }`; a list-valued field holds inline mappings. */
function item(fields: Field[]): Item {
  const flowValue = (v: Field[1]) => (typeof v === 'string' ? v : `[${v.map((m) => `{ ${m.map(([k, x]) => `${k}: ${x}`).join(', ')} }`).join(', ')}]`);
  const block = fields.flatMap(([k, v]) =>
    typeof v === 'string' ? [`${k}: ${v}`] : [`${k}:`, ...v.map((m) => `  - { ${m.map(([a, x]) => `${a}: ${x}`).join(', ')} }`)],
  );
  return { block, flow: `{ ${fields.map(([k, v]) => `${k}: ${flowValue(v)}`).join(', ')} }` };
}

type ListStyle = 'block0' | 'block2' | 'inline' | 'inlineLines' | 'empty' | 'null' | 'nullComment' | 'absent';

function list(key: string, items: Item[], style: ListStyle, comments: boolean): string[] {
  const note = comments ? ['# a note'] : [];
  if (items.length === 0 || style === 'empty' || style === 'null' || style === 'nullComment' || style === 'absent') {
    if (items.length > 0) style = 'block2';
    else if (style === 'absent') return [];
    else if (style === 'null') return [`${key}:`];
    else if (style === 'nullComment') return [`${key}: # none yet`, ...note];
    else if (style === 'empty' || style === 'inline' || style === 'inlineLines') return [`${key}: []${comments ? ' # none yet' : ''}`];
  }
  if (style === 'inline') return [`${key}: [${items.map((i) => i.flow).join(', ')}]${comments ? ' # inline' : ''}`];
  if (style === 'inlineLines') return [`${key}: [`, ...items.map((i, n) => `  ${i.flow},${comments && n === 0 ? ' # first' : ''}`), ']'];
  const pad = style === 'block0' ? '' : '  ';
  const lines = [`${key}:`];
  items.forEach((i, n) => {
    if (comments && n > 0) lines.push(`${pad}# between`);
    lines.push(...i.block.map((line, l) => `${pad}${l === 0 ? '- ' : '  '}${line}`));
  });
  if (comments) lines.push(`${pad}# - endpoint: /old`, '# after the list');
  return lines;
}

const PATHS = ['/v1/chat', '/v1/embed', '/predict', '/models/:id', '/v2/*'];
const listStyle = fc.constantFrom<ListStyle>('block0', 'block2', 'inline', 'inlineLines', 'empty', 'null', 'nullComment', 'absent');

const config = fc
  .record({
    routes: fc.uniqueArray(fc.record({ path: fc.constantFrom(...PATHS), named: fc.boolean(), flow: fc.boolean() }), {
      selector: (r) => r.path,
      maxLength: 4,
    }),
    protect: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    routeStyle: listStyle,
    securityStyle: listStyle,
    comments: fc.boolean(),
    securityFirst: fc.boolean(),
    mistake: fc.constantFrom('none', 'endpointTypo', 'newEndpoint', 'keyTypo', 'enumTypo', 'plaintextKey'),
    finalNewline: fc.boolean(),
  })
  .map((c) => {
    const routes = c.routes.map((r, i) =>
      item([
        ...(r.named ? ([['name', `r${i}`]] as Field[]) : []),
        ['path', r.path],
        ['target', 'mock://openai'],
        ...(i === 0 && c.mistake === 'keyTypo' ? ([['loadBalansing', 'weighted']] as Field[]) : []),
        ...(i === 0 && c.mistake === 'enumTypo' ? ([['loadBalancing', 'weighed']] as Field[]) : []),
      ]),
    );
    const rules = c.routes
      .filter((_, i) => c.protect[i])
      .map((r, i) =>
        item(
          i === 0 && c.mistake === 'plaintextKey'
            ? [
                ['endpoint', r.path],
                ['auth', 'api-key'],
                [
                  'apiKeys',
                  [
                    [
                      ['name', 'ci'],
                      ['key', 'hunter2'],
                    ],
                  ],
                ],
              ]
            : [
                ['endpoint', r.path],
                ['auth', 'none'],
              ],
        ),
      );
    if (c.mistake === 'endpointTypo' && c.routes[0])
      rules.push(
        item([
          ['endpoint', `${c.routes[0].path.replace('*', '')}x`],
          ['auth', 'none'],
        ]),
      );
    if (c.mistake === 'newEndpoint')
      rules.push(
        item([
          ['endpoint', '/v3/new'],
          ['auth', 'none'],
        ]),
      );
    const routeLines = list('routes', routes, c.routeStyle, c.comments);
    const securityLines = list('security', rules, c.securityStyle, c.comments);
    const text = ['version: 1', ...(c.securityFirst ? [...securityLines, ...routeLines] : [...routeLines, ...securityLines])].join('\n');
    return c.finalNewline ? `${text}\n` : text;
  });

const document = (text: string) => TextDocument.create(uri, 'yaml', ++version, text);

function countByCode(diagnostics: Diagnostic[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of diagnostics) counts.set(String(d.code), (counts.get(String(d.code)) ?? 0) + 1);
  return counts;
}

/** The edited text parses and has no diagnostic the original did not (`allowed` names env vars the edit introduces). */
function assertNoNewProblems(before: TextDocument, after: TextDocument, what: string, allowedEnv: (name: string) => boolean = () => false): Diagnostic[] {
  const diagnostics = service.doValidation(after);
  const where = `${what}\n--- before\n${before.getText()}\n--- after\n${after.getText()}\n--- diagnostics\n${diagnostics.map((d) => `${String(d.code)}: ${JSON.stringify(d.message)}`).join('\n')}`;
  assert.ok(!diagnostics.some((d) => String(d.code).startsWith('yaml.')), `parses: ${where}`);
  const was = countByCode(service.doValidation(before));
  const counted = diagnostics.filter(
    (d) =>
      !(d.code === 'env.unset' && allowedEnv(String((d.data as { name?: string }).name))) &&
      // Protecting a prefix that holds the user's own narrower `auth: none` rule leaves that part public, and says so.
      !(d.code === 'security.publicOverride' && what.startsWith('Add an ')),
  );
  for (const [code, count] of countByCode(counted)) assert.ok(count <= (was.get(code) ?? 0), `no new ${code}: ${where}`);
  return diagnostics;
}

describe('language service: every edit it proposes keeps the document valid (fast-check)', function () {
  this.timeout(120_000);

  it('applies every code action for every diagnostic', () => {
    let actions = 0;
    fc.assert(
      fc.property(config, (text) => {
        const before = document(text);
        const diagnostics = service.doValidation(before);
        assert.ok(!diagnostics.some((d) => String(d.code).startsWith('yaml.')), `the generated config parses:\n${text}`);
        for (const d of diagnostics) {
          for (const action of service.getCodeActions(before, d.range, [d])) {
            actions++;
            const after = applyEdit(before, action);
            const left = assertNoNewProblems(before, after, action.title, (name) => action.title.includes(name));
            const fixedOne = left.filter((x) => x.code === d.code).length < diagnostics.filter((x) => x.code === d.code).length;
            assert.ok(fixedOne, `"${action.title}" fixes its ${String(d.code)}:\n${after.getText()}`);
          }
        }
      }),
      { numRuns: 300 },
    );
    assert.ok(actions > 400, `${actions} actions tried`);
  });

  it('applies target -> targets wherever it is offered', () => {
    fc.assert(
      fc.property(config, (text) => {
        const before = document(text);
        for (let offset = text.indexOf('target:'); offset >= 0; offset = text.indexOf('target:', offset + 1)) {
          const position = before.positionAt(offset + 2);
          for (const action of service.getCodeActions(before, { start: position, end: position }, [])) {
            assertNoNewProblems(before, applyEdit(before, action), action.title);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('renames names, paths and endpoints to anything, or refuses with a reason', () => {
    const newName = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,8}$/),
      fc.constantFrom('1.5', 'true', 'null', '0x1F', '-x', 'bad name', '', 'r0', 'r1'),
      fc.stringMatching(/^\/[a-z0-9/:#* -]{0,10}$/),
      fc.constantFrom('/v1/chat', '/v1/*', '/a #b', '/x: y', 'v1/chat', '/models/:name'),
    );
    let renamed = 0;
    let refused = 0;
    fc.assert(
      fc.property(config, newName, (text, name) => {
        const before = document(text);
        for (const match of text.matchAll(/(?:name|path|endpoint): (\S)/g)) {
          const position = before.positionAt((match.index ?? 0) + match[0].length - 1);
          if (!service.prepareRename(before, position)) continue;
          try {
            const edit = service.doRename(before, position, name);
            renamed++;
            assertNoNewProblems(before, applyEdit(before, edit), `rename to ${JSON.stringify(name)}`);
          } catch (err) {
            if (!(err instanceof RequestRefused)) throw err;
            refused++;
            assert.ok(err.message.includes(JSON.stringify(name)) || err.message.includes(`"${name}"`), err.message);
          }
        }
      }),
      { numRuns: 300 },
    );
    assert.ok(renamed > 100 && refused > 100, `${renamed} renamed, ${refused} refused`);
  });
});
