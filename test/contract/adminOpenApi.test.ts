// schemas/admin-api.openapi.json cannot drift from the code: every endpoint the admin router registers is described
// there and every described path is served; each component schema with `x-typescript` says exactly what that type of
// common/src/protocol.ts says; every schema in it compiles. (The SDK tests validate real answers against it.)
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import Koa from 'koa';
import pino from 'pino';
import ts from 'typescript';
import { registerAdminHandlers } from '../../runtime/src/admin/adminApi';
import { AdminRouter, type AdminHandler } from '../../runtime/src/admin/adminRouter';
import { adminDeps } from '../../runtime/src/admin/deps';
import { adminApi } from '../../runtime/src/admin';
import type { GatewayRuntime } from '../../runtime/src/gateway/runtime';
import { repoRoot } from '../support/cli';
import { contractProblems, openApi, operations } from './adminContract';
import { SchemaDescriber, TypeDescriber } from './typeShape';

const PROTOCOL = path.join(repoRoot, 'common/src/protocol.ts');
const CONFIG_TYPES = path.join(repoRoot, 'common/src/config/types.ts');
// Served by the admin middleware itself rather than the router (runtime/src/admin/adminApi.ts).
const UNROUTED = ['GET /healthz', 'GET /readyz'];

class RecordingRouter extends AdminRouter {
  readonly registered: string[] = [];
  override on(method: string, pattern: string, handler: AdminHandler): this {
    this.registered.push(`${method} /api/v1${pattern.replace(/:(\w+)/g, '{$1}')}`);
    return super.on(method, pattern, handler);
  }
}

describe('admin API: schemas/admin-api.openapi.json', function () {
  this.timeout(60_000); // the type checker reads the protocol module and what it imports

  it('describes every endpoint the admin router registers, and nothing it does not serve', () => {
    const router = new RecordingRouter();
    registerAdminHandlers(router, adminDeps({ runtime: {} as GatewayRuntime }));
    const described = operations().map((o) => `${o.method} ${o.path}`);
    assert.deepEqual([...described].sort(), [...router.registered, ...UNROUTED].sort());
  });

  it('serves /healthz and /readyz without the router, as described', async () => {
    const runtime = { hasConfig: false, logger: pino({ level: 'silent' }) } as unknown as GatewayRuntime;
    const app = new Koa();
    app.use(adminApi({ runtime, apiKey: 'k' }));
    const server = app.listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as { port: number };
      for (const [pathName, status] of [
        ['/healthz', 200],
        ['/readyz', 503],
      ] as const) {
        const response = await fetch(`http://127.0.0.1:${port}${pathName}`);
        const answer = {
          method: 'GET',
          url: response.url,
          status: response.status,
          contentType: response.headers.get('content-type'),
          body: await response.text(),
        };
        assert.equal(answer.status, status);
        assert.deepEqual(contractProblems(answer), []);
      }
    } finally {
      server.close();
    }
  });

  it('says in each component schema what the TypeScript type it names says', () => {
    const program = ts.createProgram([PROTOCOL], { strict: true, noEmit: true, skipLibCheck: true, types: [] });
    const checker = program.getTypeChecker();
    const types = new TypeDescriber(checker);
    const schemas = new SchemaDescriber(openApi.components.schemas);
    const mapped = Object.entries(openApi.components.schemas).filter(([, schema]) => typeof schema['x-typescript'] === 'string');
    assert.ok(mapped.length >= 20, 'the answers and request bodies name their types');
    for (const [name, schema] of mapped) {
      const type = resolveType(program, checker, schema['x-typescript'] as string);
      schemas.reached.add(name);
      assert.equal(schemas.describe(schema), types.describe(type), `components.schemas.${name} (${String(schema['x-typescript'])})`);
    }
    const unchecked = Object.keys(openApi.components.schemas).filter((name) => !schemas.reached.has(name));
    assert.deepEqual(unchecked, [], 'every component schema is a named type or part of one');
  });

  it('compiles every request and response schema, and each $ref points at something', () => {
    for (const { method, path: template, operation } of operations()) {
      for (const status of Object.keys(operation.responses)) {
        // A body of the wrong shape must be refused, which needs the schema to compile first.
        const problems = contractProblems({
          method,
          url: `http://h${template}`,
          status: Number(status),
          contentType: 'application/json',
          body: '"not an answer"',
        });
        assert.ok(problems.length > 0 && !problems.some((p) => /does not compile/.test(p)), `${method} ${template} ${status}: ${problems.join('; ')}`);
      }
    }
  });
});

/** `Admin.Route` or `RequestTrace.Record` in the protocol module, or a name exported by the config types. */
function resolveType(program: ts.Program, checker: ts.TypeChecker, name: string): ts.Type {
  for (const file of [PROTOCOL, CONFIG_TYPES]) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`${file} is not in the program`);
    let symbol: ts.Symbol | undefined = moduleSymbol;
    for (const part of name.split('.')) symbol = symbol && checker.getExportsOfModule(symbol).find((s) => s.name === part);
    if (symbol) return checker.getDeclaredTypeOfSymbol(symbol);
  }
  throw new Error(`x-typescript "${name}" names no type exported by protocol.ts or config/types.ts`);
}
