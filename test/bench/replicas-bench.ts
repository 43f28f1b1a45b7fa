// `npm run bench:replicas`: requests per second of 1, 2 and 3 gateway replicas sharing their rate limits through a
// real redis-server, behind a round-robin balancer (bareProxy.ts given several upstreams, standing in for a Kubernetes Service),
// next to the single-process figures from the same run, and to N bare undici proxies behind the same balancer (what
// N proxy processes can do at all here). Every process shares this machine's cores with the load generator, the
// balancer, Redis and the mock, so the figures say what one machine does, not what a cluster does.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, setPriority, tmpdir } from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../../common/src/nodeFlags';
import { cliCommand } from '../support/cli';
import { startRedisServer } from '../support/redisServer';
import { formatTable } from './benchSummary';
import { jsonUrl, nodeArgs, startGatewayProcess, startProcess, type Started } from './processes';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
// On one machine the load generator, balancer, mock and Redis stand in for other machines: given a higher CPU
// priority, they do not lose their share to each added replica (BENCH_FAIR=1 measures without it).
const PRIORITIZE_INFRA = process.env.BENCH_FAIR !== '1';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CHAT_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });

interface Row {
  name: string;
  /** For the N-replica rows and their bare-proxy ceiling: N. */
  processes?: number;
  ceiling?: boolean;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Answers other than 200, by status, so that a refused or failing setup cannot pass for a fast one. */
  refused: string;
}

/** A gateway whose one route goes to the mock, with a request limit high enough never to trip. */
function gatewayYaml(mockUrl: string, redisUrl: string | undefined, replicas: number): string {
  const store = redisUrl ? `\n  store: { redis: { url: "${redisUrl}", keyPrefix: "bench:" }, onStoreFailure: local, replicas: ${replicas} }` : '';
  return `version: 1
gateway:
  listen: 127.0.0.1:0
  logLevel: warn${store}
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: "${mockUrl}" }
security:
  - endpoint: /v1/chat/completions
    auth: none
    rateLimit: { requests: 100000000/min, by: route }
`;
}

function startGateway(configFile: string): Promise<Started> {
  const { command, args } = cliCommand(['start', '--config', configFile, '--port', '0', '--no-watch']);
  // As the launchers start it (bin, Dockerfile, the extension): with the gateway's node flags.
  return startGatewayProcess(command, [...GATEWAY_NODE_FLAGS, ...args], { ...GATEWAY_ENV, ...process.env });
}

function scriptBeside(name: string): string {
  return path.join(__dirname, `${name}${path.extname(__filename)}`);
}

async function drive(url: string, logTails: string[][]): Promise<Omit<Row, 'name'>> {
  const options = {
    url: `${url}/v1/chat/completions`,
    connections: CONNECTIONS,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body: CHAT_BODY,
  };
  await autocannon({ ...options, duration: 1 }); // warm-up: JIT, pools, keep-alive connections
  const result = await autocannon({ ...options, duration: DURATION_S });
  const refused = Object.entries(result.statusCodeStats ?? {})
    .filter(([status]) => status !== '200')
    .map(([status, stats]) => `${status}x${stats?.count ?? 0}`)
    .join(' ');
  // Say why answers were refused, so a failing setup explains itself instead of passing for a fast one.
  if (refused !== '') {
    process.stderr.write(`bench: non-200 answers (${refused}); one answer now: ${await sampleAnswer(options.url)}\n`);
    for (const line of logTails.flat()) process.stderr.write(`bench:   gateway log: ${line.slice(0, 900)}\n`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx, refused };
}

async function sampleAnswer(url: string): Promise<string> {
  try {
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: CHAT_BODY });
    return `${answer.status} ${(await answer.text()).slice(0, 300)}`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function measure(name: string, rows: Row[], start: () => Promise<Started[]>, group: Pick<Row, 'processes' | 'ceiling'> = {}): Promise<void> {
  process.stderr.write(`bench: ${name} ...\n`);
  const started = await start();
  try {
    const logTails = started.map((proc) => ('logTail' in proc ? (proc.logTail as string[]) : []));
    rows.push({ name, ...group, ...(await drive(started[0]!.url, logTails)) });
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}

/** Raises a process's CPU priority (needs root; the bench still runs, unprioritized, without it). */
function prioritize(pid: number | undefined): void {
  if (!PRIORITIZE_INFRA || pid === undefined) return;
  try {
    setPriority(pid, -10);
  } catch {
    process.stderr.write(`bench: could not raise the priority of process ${pid}; figures include CPU contention\n`);
  }
}

async function main(): Promise<void> {
  prioritize(process.pid); // autocannon runs in this process
  const workDir = await mkdtemp(path.join(tmpdir(), 'replicas-bench-'));
  const mockCli = cliCommand(['mock', '--port', '0']);
  const mock = await startProcess(mockCli.command, mockCli.args, jsonUrl);
  const redis = await startRedisServer();
  prioritize(mock.child.pid);
  prioritize(redis.pid);
  const rows: Row[] = [];
  const config = async (name: string, redisUrl: string | undefined, replicas: number): Promise<string> => {
    const file = path.join(workDir, `${name}.yaml`);
    await writeFile(file, gatewayYaml(mock.url, redisUrl, replicas));
    return file;
  };
  const behindBalancer = async (backends: Started[]): Promise<Started[]> => {
    const balancer = await startProcess(process.execPath, [...nodeArgs(scriptBeside('bareProxy')), ...backends.map((b) => b.url)], jsonUrl);
    prioritize(balancer.child.pid);
    return [balancer, ...backends];
  };
  const replicas = async (count: number): Promise<Started[]> => {
    const file = await config(`replicas-${count}`, redis.url, count);
    return behindBalancer(await Promise.all(Array.from({ length: count }, () => startGateway(file))));
  };
  // The machine's ceiling for N proxy processes: the least a Node proxy does, in the same place as the replicas.
  const bareProxies = async (count: number): Promise<Started[]> =>
    behindBalancer(
      await Promise.all(Array.from({ length: count }, () => startProcess(process.execPath, [...nodeArgs(scriptBeside('bareProxy')), mock.url], jsonUrl))),
    );
  try {
    await measure('1 process, limits in memory, direct', rows, async () => [await startGateway(await config('memory', undefined, 1))]);
    await measure('1 process, limits in Redis, direct', rows, async () => [await startGateway(await config('redis', redis.url, 1))]);
    for (const count of [1, 2, 3]) {
      await measure(`${count} replica(s), Redis, round-robin balancer`, rows, () => replicas(count), { processes: count });
      await measure(`  ${count} bare undici proxies, same balancer (ceiling)`, rows, () => bareProxies(count), { processes: count, ceiling: true });
    }
  } finally {
    await redis.stop();
    await mock.stop();
    await rm(workDir, { recursive: true, force: true });
  }
  printTable(rows);
}

function printTable(rows: Row[]): void {
  const single = rows[0];
  const header = ['setup', 'rps', 'p50 ms', 'p99 ms', 'errors', 'non-200', 'vs 1 process', 'vs ceiling'];
  const ceilingOf = (row: Row): Row | undefined => (row.processes && !row.ceiling ? rows.find((r) => r.ceiling && r.processes === row.processes) : undefined);
  const lines = rows.map((row) => [
    row.name,
    row.rps.toFixed(0),
    row.p50.toFixed(1),
    row.p99.toFixed(1),
    String(row.errors),
    row.refused || '-',
    single && !row.ceiling ? `${((row.rps / single.rps) * 100).toFixed(0)}%` : '',
    ceilingOf(row) ? `${((row.rps / ceilingOf(row)!.rps) * 100).toFixed(0)}%` : '',
  ]);
  process.stdout.write(`\n${formatTable(header, lines)}\n`);
  process.stdout.write(`\n${CONNECTIONS} connections, ${DURATION_S} s each, one rate-limited route (a Redis round trip per request when shared).\n`);
  process.stdout.write(
    PRIORITIZE_INFRA
      ? 'Load generator, balancer, mock and Redis ran at a higher CPU priority than the gateways (BENCH_FAIR=1 to measure without).\n'
      : 'All processes at the same CPU priority.\n',
  );
  process.stdout.write(
    `Load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${cpus().length} cores.\n`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
