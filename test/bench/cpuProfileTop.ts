// Reads a V8 .cpuprofile (`node --cpu-prof`, or BENCH_CPU_PROF=dir with the gateway bench) and prints the frames
// with the most self time, then the same time grouped by file (our modules vs koa, undici, pino, node internals).
// Usage: node --require tsx/cjs test/bench/cpuProfileTop.ts FILE.cpuprofile [TOP] [FILE_REGEXP for total times]
import { readFileSync } from 'node:fs';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function selfTimes(profile: CpuProfile): { byFrame: Map<string, number>; byFile: Map<string, number>; totalUs: number } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFrame = new Map<string, number>();
  const byFile = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = nodes.get(id)?.callFrame;
    if (!frame) return;
    totalUs += delta;
    const file = shortFile(frame.url) || `(${frame.functionName || 'native'})`;
    const key = `${frame.functionName || '(anonymous)'}  ${file}:${frame.lineNumber + 1}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + delta);
    byFile.set(file, (byFile.get(file) ?? 0) + delta);
  });
  return { byFrame, byFile, totalUs };
}

/** Time with the frame anywhere on the stack (counted once per sample), for frames whose file matches `only`. */
export function inclusiveTimes(profile: CpuProfile, only: RegExp): Map<string, number> {
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const frame = nodes.get(at)?.callFrame;
      if (!frame || !only.test(frame.url)) continue;
      const key = `${frame.functionName || '(anonymous)'}  ${shortFile(frame.url)}:${frame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      totals.set(key, (totals.get(key) ?? 0) + delta);
    }
  });
  return totals;
}

/** `node_modules/undici/lib/dispatcher/client-h1.js`, `runtime/src/gateway/app.ts`, `node:internal/...`. */
function shortFile(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules);
  const source = url.search(/(runtime|test)\/src\/|test\//);
  return source >= 0 ? url.slice(source) : url.replace(/^file:\/\//, '');
}

function top(map: Map<string, number>, count: number, totalUs: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
}

if (require.main === module) {
  const [file, count = '40', inclusive] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: cpuProfileTop FILE.cpuprofile [TOP]\n');
    process.exitCode = 2;
  } else {
    const { byFrame, byFile, totalUs } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    process.stdout.write(`total ${(totalUs / 1000).toFixed(0)} ms sampled\n\nself time by frame:\n${top(byFrame, Number(count), totalUs).join('\n')}\n`);
    process.stdout.write(`\nself time by file:\n${top(byFile, 25, totalUs).join('\n')}\n`);
    if (inclusive) {
      const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
      process.stdout.write(
        `\ntotal time (self + callees) of frames in files matching /${inclusive}/:\n${top(inclusiveTimes(profile, new RegExp(inclusive)), Number(count), totalUs).join('\n')}\n`,
      );
    }
  }
}
