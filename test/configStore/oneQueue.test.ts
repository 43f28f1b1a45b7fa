// Every config change goes through the config store's one queue, whatever brought it: a save of the file, the
// admin API, another replica (test/cluster has those). A real gateway in this process, on a real file, with the
// admin API on its socket. Whatever the interleaving, the file and the running config end up the same, and no
// change the gateway accepted is lost: a save the store has not read refuses the admin change (409), which is
// what lets the save apply; and the store's own writes are never applied twice.
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { Admin } from '../../common/src/protocol';
import type { AppliedChange, RejectedChange } from '../../runtime/src/configStore/changes';
import { adminCall, ADMIN_KEY } from '../admin/gatewayProcess';
import { startTestGateway } from '../gateway/support';

const START = `# edited by hand and by the admin API
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: "mock://openai" }
`;
const route = (name: string): Record<string, unknown> => ({ name, path: `/${name}`, methods: ['POST'], target: 'mock://openai' });
const withHandRoute = (text: string, name: string): string => `${text.trimEnd()}\n  - { name: ${name}, path: /${name}, target: "mock://openai" }\n`;

describe('config changes: one queue for the file, the admin API and the replicas', function () {
  this.timeout(30_000);
  let dir: string;
  let file: string;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;

  const start = async (watch: boolean): Promise<void> => {
    dir = await mkdtemp(path.join(tmpdir(), 'config-queue-'));
    file = path.join(dir, 'gateway.yaml');
    await writeFile(file, START);
    gateway = await startTestGateway(undefined, { configPath: file, watch, env: { AI_GATEWAY_API_KEY: ADMIN_KEY } });
  };
  afterEach(async () => {
    await gateway?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const store = () => gateway.configStore!;
  const running = (): string[] => gateway.runtime.snapshot.config.routes.map((r) => r.name).sort();
  const post = (name: string) => adminCall(gateway.url, 'POST', '/api/v1/routes', { body: route(name) });

  /** The file, the store and the running gateway agree. */
  async function assertConverged(): Promise<string[]> {
    const onDisk = await readFile(file, 'utf8');
    assert.equal(store().text, onDisk, 'the store holds what the file holds');
    const inFile = (parse(onDisk) as { routes: { name: string }[] }).routes.map((r) => r.name).sort();
    assert.deepEqual(running(), inFile, 'the gateway runs what the file holds');
    return inFile;
  }

  it('a save that lands before an admin change: the change is refused (409), then the save applies', async () => {
    await start(false);
    const saved = withHandRoute(START, 'hand');
    await writeFile(file, saved);
    const refused = await post('admin');
    assert.equal(refused.status, 409, refused.text);
    assert.equal(await readFile(file, 'utf8'), saved, 'the save is kept');
    assert.deepEqual(running(), ['chat'], 'and nothing was applied');
    assert.equal(await gateway.reload(), true);
    assert.deepEqual(await assertConverged(), ['chat', 'hand']);
    const retried = await post('admin');
    assert.equal(retried.status, 201, 'the retry builds on the save');
    assert.deepEqual(await assertConverged(), ['admin', 'chat', 'hand']);
  });

  it('a save that lands while an admin change is being applied: refused (409), the runtime goes back, then the save applies', async () => {
    await start(false);
    const saved = withHandRoute(START, 'hand');
    let saves = 0;
    // The runtime swaps in the admin change before the store writes it: the editor saves in exactly that gap.
    const stop = gateway.runtime.events.on('config.applied', (event) => {
      if (event.source === 'admin-api' && saves++ === 0) writeFileSync(file, saved);
    });
    const refused = await post('admin');
    stop();
    assert.equal(refused.status, 409, refused.text);
    assert.equal(await readFile(file, 'utf8'), saved, 'the save is not overwritten');
    assert.deepEqual(running(), ['chat'], 'the runtime went back to the config the file had');
    assert.equal(await gateway.reload(), true);
    assert.deepEqual(await assertConverged(), ['chat', 'hand']);
  });

  it('admin changes racing the watcher: every accepted change runs and is in the file, and none is applied twice', async () => {
    await start(true);
    const applied: AppliedChange[] = [];
    store().events.on('applied', (change) => applied.push(change));
    // Twenty changes at once, with the watcher seeing each write and explicit re-reads of the file in between.
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 5 === 4 ? gateway.reload().then(() => ({ status: 0 })) : post(`r${i}`))));
    const accepted = answers.flatMap((answer, i) => (answer.status === 201 ? [`r${i}`] : []));
    assert.equal(accepted.length, 16, 'every admin change was accepted');
    // A save by hand after all that: applied once, on top of every accepted change.
    const since = applied.length;
    await writeFile(file, withHandRoute(await readFile(file, 'utf8'), 'hand'));
    await new Promise<void>((resolve) => {
      const stop = store().events.on('applied', (change) => {
        if (change.source !== 'file') return;
        stop();
        resolve();
      });
    });
    assert.deepEqual(await assertConverged(), ['chat', 'hand', ...accepted].sort());
    assert.deepEqual(
      applied.map((change) => change.source),
      [...Array<string>(16).fill('admin-api'), 'file'],
      'each admin change applied once, the store’s own writes never re-applied, the save once',
    );
    assert.equal(applied.length - since, 1);
    assert.equal(gateway.runtime.snapshot.version, 1 + 16 + 1);
  });

  it('If-Match is checked in the queue: of two replacements of the config read, one applies and the other gets 412', async () => {
    await start(true);
    const read = await adminCall(gateway.url, 'GET', '/api/v1/config', { headers: { accept: 'application/yaml' } });
    const etag = read.headers.get('etag')!;
    const put = (name: string) =>
      adminCall<Admin.ApplyResult>(gateway.url, 'PUT', '/api/v1/config', {
        body: withHandRoute(read.text, name),
        contentType: 'application/yaml',
        headers: { 'If-Match': etag },
      });
    const answers = await Promise.all([put('first'), put('second')]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 412], answers.map((a) => a.text).join('\n'));
    const winner = answers[0].status === 200 ? 'first' : 'second';
    assert.deepEqual(await assertConverged(), ['chat', winner].sort());
  });

  it('tells each change once, with where it came from: applied, or rejected with the last good config running', async () => {
    await start(false);
    const events: (['applied', AppliedChange] | ['rejected', RejectedChange])[] = [];
    store().events.on('applied', (change) => events.push(['applied', change]));
    store().events.on('rejected', (change) => events.push(['rejected', change]));

    await writeFile(file, 'routes:\n  - { path: /bad, target: not a url }\n');
    assert.equal(await gateway.reload(), false);
    await writeFile(file, START);
    assert.equal(await gateway.reload(), false, 'the text that already runs is no change');
    await writeFile(file, '');
    assert.equal(await gateway.reload(), false, 'nor is an empty file (a save caught between truncation and write)');
    await writeFile(file, START);
    assert.equal((await post('added')).status, 201);
    assert.equal(await gateway.reload(), false, "the store's own write is what runs");
    assert.equal((await adminCall(gateway.url, 'POST', '/api/v1/routes', { body: { path: '/x', target: 'not a url' } })).status, 422);

    assert.deepEqual(
      events.map(([kind, change]) => `${kind} ${change.source}`),
      ['rejected file', 'applied admin-api', 'rejected admin-api'],
    );
    const [, fileRejected] = events[0] as ['rejected', RejectedChange];
    assert.equal(fileRejected.diagnostics[0]?.range.start.line, 1, 'the diagnostics point into the file');
    const [, adminApplied] = events[1] as ['applied', AppliedChange];
    assert.deepEqual(adminApplied.routes, { added: ['added'], changed: [], removed: [] });
    assert.equal(adminApplied.version, gateway.runtime.snapshot.version);
    assert.deepEqual(running(), ['added', 'chat'], 'the refused changes left the last good config running');
  });
});
