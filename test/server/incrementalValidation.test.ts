// The language service re-validates a large config after an edit from what the edit left alone (test/config/
// incrementalCheck.test.ts holds the config model to it over random edits). Here, through the service as the server
// runs it (a config past the size that is parsed in chunks, validated in steps): a person's edits, each version's
// diagnostics compared with a validation from scratch by a service that never saw the document before.
import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver';
import { createLanguageService } from '../../server/src/service/languageService';
import { generatedConfig } from './generatedConfig';

const ENV = { TEAM_KEY: 'k' };
const uri = 'file:///w/large.gateway.yaml';

/** Replaces the first `from` after `after` (both must be in the text). */
function replace(text: string, from: string, to: string, after = ''): string {
  const at = text.indexOf(from, text.indexOf(after));
  assert.ok(at >= 0 && text.indexOf(after) >= 0, `"${from}" after "${after}"`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

const codes = (diagnostics: Diagnostic[]): string => [...new Set(diagnostics.map((d) => String(d.code)))].sort().join(', ');

describe('language service: re-validation after edits of a large config', function () {
  this.timeout(120_000);

  it('gives exactly the diagnostics of a validation from scratch, edit after edit', async () => {
    // 300 routes: about 80 KB, past the size from which a document is parsed in chunks after its first version.
    const base = generatedConfig(300);
    const edits: [string, (text: string) => string, string][] = [
      ['a route name grows by one character', (t) => replace(t, 'name: route-70\n', 'name: route-70x\n'), ''],
      ['and shrinks back', (t) => replace(t, 'name: route-70x\n', 'name: route-70\n'), ''],
      ['a route takes the name of another', (t) => replace(t, 'name: route-71\n', 'name: route-70\n'), 'route.duplicateName'],
      ['a route takes the path of another', (t) => replace(t, 'path: /v1/service-12/chat', 'path: /v1/service-11/chat'), 'route.duplicate'],
      [
        'its methods change, so it no longer duplicates the other',
        (t) => replace(t, 'methods: [POST]', 'methods: [GET]', 'path: /v1/service-11/chat\n    methods'),
        'security.unknownEndpoint',
      ],
      ['a route is deleted', (t) => t.slice(0, t.indexOf('  - name: route-20\n')) + t.slice(t.indexOf('  - name: route-21\n')), ''],
      [
        'a route without a security rule is added',
        (t) => replace(t, '  - name: route-150\n', '  - path: /v9/new\n    target: mock://openai\n  - name: route-150\n'),
        'route.unprotected',
      ],
      ['a security endpoint gets a typo', (t) => replace(t, 'endpoint: /v1/service-99/chat', 'endpoint: /v1/service-99/chta'), 'security.unknownEndpoint'],
      ['the gateway closes what no rule covers', (t) => replace(t, '  logLevel: info\n', '  logLevel: info\n  defaultAuth: deny\n'), 'route.closedByDefault'],
      ['a target reads an unset variable', (t) => replace(t, 'url: mock://openai', 'url: ${UPSTREAM}', 'name: route-200'), 'env.unset'],
      ['a key is misspelt', (t) => replace(t, 'retries: 2', 'retires: 2', 'name: route-250'), 'schema.unknownKey'],
      ['a line loses its indentation', (t) => replace(t, '    timeout: 30s', 'timeout: 30s', 'name: route-260'), 'yaml'],
      ['and gets it back', (t) => replace(t, '\ntimeout: 30s', '\n    timeout: 30s', 'name: route-260'), ''],
    ];
    const service = createLanguageService({ env: ENV });
    const document = TextDocument.create(uri, 'yaml', 1, base);
    const fromScratch = (text: string, version: number) => createLanguageService({ env: ENV }).doValidation(TextDocument.create(uri, 'yaml', version, text));
    assert.deepEqual(await service.doValidationInSteps(document), fromScratch(base, 1));
    await service.prepareForEdits(document); // as the server does once the first diagnostics are out
    let text = base;
    for (const [what, edit, expected] of edits) {
      text = edit(text);
      TextDocument.update(document, [{ text }], document.version + 1);
      const incremental = (await service.doValidationInSteps(document)) ?? [];
      assert.deepEqual(incremental, fromScratch(text, document.version), what);
      if (expected) assert.ok(codes(incremental).includes(expected), `${what}: ${codes(incremental)}`);
    }
  });

  it('keeps no earlier version of the text alive after edits in many places', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let text = generatedConfig(300);
    const service = createLanguageService({ env: ENV });
    const document = TextDocument.create(uri, 'yaml', 1, text);
    await service.doValidationInSteps(document);
    await service.prepareForEdits(document);
    gc();
    const before = process.memoryUsage().heapUsed;
    const edits = 200;
    for (let i = 0; i < edits; i++) {
      text = replace(text, `name: route-${i}\n`, `name: route-${i}y\n`);
      TextDocument.update(document, [{ text }], document.version + 1);
      await service.doValidationInSteps(document);
    }
    gc();
    // Each re-parsed route kept its version's whole text (about 80 KB) through the strings parsed from it: 16 MB here.
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < (edits * text.length) / 4, `the heap grew by ${(grown / 1e6).toFixed(1)} MB over ${edits} edits`);
  });
});
