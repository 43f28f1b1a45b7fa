// A Kubernetes ConfigMap volume, as the kubelet writes it: the file is a symlink through `..data`, and an update
// writes a new timestamped directory and swaps the `..data` symlink atomically, never touching the file's name.
// A gateway started on such a file must apply the update (the read-only, ConfigMap-as-source-of-truth setup).
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { ProcessEvents } from '../../common/src/protocol';
import { startGatewayProcess } from '../support/gatewayReplica';

function configWithRoutes(paths: string[]): string {
  return `version: 1
gateway: { logLevel: info, admin: { readOnly: true } }
routes:
${paths.map((p, i) => `  - { name: r${i}, path: ${p}, methods: [GET], target: "mock://openai" }`).join('\n')}
`;
}

/** Writes a new revision the way the kubelet's atomic writer does. */
function writeRevision(volume: string, revision: string, text: string, first: boolean): void {
  mkdirSync(path.join(volume, revision));
  writeFileSync(path.join(volume, revision, 'ai-gateway.yaml'), text);
  symlinkSync(revision, path.join(volume, '..data_tmp'));
  renameSync(path.join(volume, '..data_tmp'), path.join(volume, '..data'));
  if (first) symlinkSync('..data/ai-gateway.yaml', path.join(volume, 'ai-gateway.yaml'));
}

describe('config from a Kubernetes ConfigMap volume', function () {
  this.timeout(30_000);

  it('applies an update that arrives as a swap of the ..data symlink', async () => {
    const volume = mkdtempSync(path.join(tmpdir(), 'configmap-'));
    writeRevision(volume, '..2026_11_26_07_00_00.000000001', configWithRoutes(['/v1/models']), true);
    const gateway = await startGatewayProcess(path.join(volume, 'ai-gateway.yaml'));
    try {
      const before = await request(new URL('/health', gateway.url));
      await before.body.dump();
      assert.equal(before.statusCode, 404);

      writeRevision(volume, '..2026_11_26_07_01_00.000000002', configWithRoutes(['/v1/models', '/health']), false);
      rmSync(path.join(volume, '..2026_11_26_07_00_00.000000001'), { recursive: true });
      await gateway.waitFor(ProcessEvents.configApplied);

      const after = await request(new URL('/health', gateway.url));
      await after.body.dump();
      assert.equal(after.statusCode, 200);
    } finally {
      await gateway.stop();
      rmSync(volume, { recursive: true, force: true });
    }
  });
});
