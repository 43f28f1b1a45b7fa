// gateway.workers in the one config model: its default, `auto`, the error for a count it cannot run, completion and
// hover from the schema, and the restart a change waits for.
import { strict as assert } from 'node:assert';
import { availableParallelism } from 'node:os';
import { formatDiagnostic, loadConfig } from '../../common/src/config';
import { restartOnlyChanges } from '../../runtime/src/gateway/restartOnlySettings';
import { workerCount } from '../../runtime/src/workers';
import { createLanguageService } from '../../server/src/service/languageService';
import { at } from '../server/caretFixture';

const ROUTES = 'routes:\n  - { path: /a, target: mock://openai }\nsecurity:\n  - { endpoint: /a, auth: none }\n';
const settingsOf = (gateway: string) => loadConfig(`gateway:\n${gateway}\n${ROUTES}`, { env: {} });

describe('config model: gateway.workers', () => {
  it('is 1 unless set, a count, or auto (one per CPU)', () => {
    assert.equal(loadConfig(ROUTES, { env: {} }).config?.gateway.workers, 1);
    assert.equal(settingsOf('  workers: 4').config?.gateway.workers, 4);
    const auto = settingsOf('  workers: auto').config?.gateway.workers;
    assert.equal(auto, 'auto');
    assert.equal(workerCount(auto), availableParallelism());
  });

  it('refuses what is not a number of processes, saying what is', () => {
    for (const value of ['0', '-1', '2.5', 'many', '1000']) {
      const result = settingsOf(`  workers: ${value}`);
      assert.equal(result.config, undefined, value);
      const shown = value === 'many' ? '"many"' : value;
      assert.deepEqual(
        result.diagnostics.map((d) => formatDiagnostic('gateway.yaml', d)),
        [`gateway.yaml:2:12: error: ${shown} is not a number of worker processes: write a count from 1 to 256, or auto. [schema.format]`],
      );
    }
  });

  it('waits for a restart when changed', () => {
    const running = settingsOf('  workers: 2').config!.gateway;
    const changes = restartOnlyChanges(running, settingsOf('  workers: auto').config!.gateway);
    assert.deepEqual(changes, [{ setting: 'gateway.workers', path: ['gateway', 'workers'], running: '2', configured: 'auto' }]);
  });

  it('is completed and explained in the editor from the schema', () => {
    const service = createLanguageService({ env: {} });
    const complete = (fixture: string): string[] => {
      const { document, position } = at(fixture);
      return service.doComplete(document, position).items.map((item) => item.label);
    };
    assert.ok(complete('gateway:\n  work|\n').includes('workers'));
    assert.deepEqual(complete('gateway:\n  workers: |\n').sort(), ['1', '2', 'auto']);
    const { document, position } = at('gateway:\n  work|ers: 2\n');
    const hover = (service.doHover(document, position)?.contents as { value: string } | undefined)?.value ?? '';
    assert.match(hover, /Processes that serve the gateway's port \(default `1`\)/);
  });
});
