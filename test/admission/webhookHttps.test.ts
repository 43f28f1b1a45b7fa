// The admission webhook over a real HTTPS socket, verified against its certificate the way the API server
// verifies it against the caBundle; plus certificate rotation without a restart.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import pino from 'pino';
import { generate } from 'selfsigned';
import { startAdmissionWebhook, WEBHOOK_CERT_RELOADED, WEBHOOK_LISTENING, type AdmissionWebhook } from '../../runtime/src/admission/server';
import { DEFAULT_SIDECAR_OPTIONS } from '../../runtime/src/admission/sidecar';
import type { AdmissionReview } from '../../runtime/src/admission/types';
import { cliCommand, repoRoot } from '../support/cli';

interface Reply {
  status: number;
  body: string;
  fingerprint: string;
}

async function makeCertificate(cn: string): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: cn }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'ai-gateway-webhook.ai-gateway.svc' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

function call(url: string, ca: string, method: string, pathname: string, body?: string, contentType = 'application/json'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // agent: false gives each call a new TLS handshake, so a rotated certificate is seen at once.
    const headers = body ? { 'content-type': contentType } : {};
    const req = request(new URL(pathname, url), { method, ca, headers, agent: false }, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), fingerprint });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('admission webhook over HTTPS', function () {
  this.timeout(30_000);
  let dir: string;
  let webhook: AdmissionWebhook;
  let first: { cert: string; key: string };
  const logLines: Record<string, unknown>[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
    logStream.emit('logged');
  });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'webhook-'));
    first = await makeCertificate('first');
    writeFileSync(path.join(dir, 'tls.crt'), first.cert);
    writeFileSync(path.join(dir, 'tls.key'), first.key);
    webhook = await startAdmissionWebhook({
      host: '127.0.0.1',
      port: 0,
      certFile: path.join(dir, 'tls.crt'),
      keyFile: path.join(dir, 'tls.key'),
      certPollMs: 50,
      logger: pino(logStream),
      sidecar: { ...DEFAULT_SIDECAR_OPTIONS, image: 'registry.example/ai-gateway:test' },
    });
  });

  after(async () => {
    await webhook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers an AdmissionReview with a JSON Patch that adds the sidecar, and counts it', async () => {
    const fixture = readFileSync(path.join(repoRoot, 'test/admission/fixtures/create-annotated-pod.json'), 'utf8');
    const reply = await call(webhook.url, first.cert, 'POST', '/mutate', fixture);
    assert.equal(reply.status, 200);
    const review = JSON.parse(reply.body) as AdmissionReview;
    assert.equal(review.response?.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.equal(review.response?.allowed, true);
    const patch = JSON.parse(Buffer.from(review.response?.patch ?? '', 'base64').toString('utf8')) as { path: string }[];
    assert.deepEqual(
      patch.map((op) => op.path),
      ['/spec/containers/-', '/spec/volumes/-', '/metadata/annotations/aimlops~1gateway-injected'],
    );

    const plain = readFileSync(path.join(repoRoot, 'test/admission/fixtures/create-plain-pod.json'), 'utf8');
    assert.equal((await call(webhook.url, first.cert, 'POST', '/mutate', plain)).status, 200);

    const metrics = await call(webhook.url, first.cert, 'GET', '/metrics');
    assert.match(metrics.body, /ai_gateway_admission_reviews_total\{outcome="injected"\} 1/);
    assert.match(metrics.body, /ai_gateway_admission_reviews_total\{outcome="skipped"\} 1/);
    const logged = logLines.find((line) => line.msg === 'admission review' && line.outcome === 'injected');
    assert.equal(logged?.pod, 'ai-pod-7d9f8b6c5d-');
    assert.equal(logged?.namespace, 'ml');
  });

  it('answers probes on /healthz and refuses bad requests with a JSON error', async () => {
    assert.deepEqual(JSON.parse((await call(webhook.url, first.cert, 'GET', '/healthz')).body), { status: 'ok' });

    const notJson = await call(webhook.url, first.cert, 'POST', '/mutate', '{"kind": ');
    assert.equal(notJson.status, 400);
    assert.match(errorOf(notJson.body).message, /^body: not valid JSON/);

    const wrongType = await call(webhook.url, first.cert, 'POST', '/mutate', 'x', 'text/plain');
    assert.equal(wrongType.status, 400);
    assert.match(errorOf(wrongType.body).message, /content-type: expected application\/json/);

    const v1beta1 = await call(
      webhook.url,
      first.cert,
      'POST',
      '/mutate',
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: {} }),
    );
    assert.equal(v1beta1.status, 400);
    assert.equal(errorOf(v1beta1.body).type, 'invalid_admission_review');

    assert.equal((await call(webhook.url, first.cert, 'GET', '/mutate')).status, 405);
    assert.equal((await call(webhook.url, first.cert, 'POST', '/validate', '{}')).status, 404);
  });

  it('serves a rotated certificate to new connections without a restart', async () => {
    const before = await call(webhook.url, first.cert, 'GET', '/healthz');
    const second = await makeCertificate('second');
    const reloaded = new Promise<void>((resolve) => {
      const check = (): void => {
        if (logLines.some((line) => line.msg === WEBHOOK_CERT_RELOADED)) {
          logStream.off('logged', check);
          resolve();
        }
      };
      logStream.on('logged', check);
    });
    writeFileSync(path.join(dir, 'tls.key'), second.key);
    writeFileSync(path.join(dir, 'tls.crt'), second.cert);
    await reloaded;
    // Both files may be seen in either order; wait until the pair matches (a mismatched pair is refused and logged).
    let after = await call(webhook.url, second.cert, 'GET', '/healthz').catch(() => undefined);
    while (!after) {
      await once(logStream, 'logged');
      after = await call(webhook.url, second.cert, 'GET', '/healthz').catch(() => undefined);
    }
    assert.equal(after.status, 200);
    assert.notEqual(after.fingerprint, before.fingerprint);
  });
});

describe('ai-gateway-cli webhook', function () {
  this.timeout(30_000);

  it('serves the webhook from the CLI until SIGTERM, and exits 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'webhook-cli-'));
    const pair = await makeCertificate('cli');
    writeFileSync(path.join(dir, 'tls.crt'), pair.cert);
    writeFileSync(path.join(dir, 'tls.key'), pair.key);
    const { command, args } = cliCommand([
      'webhook',
      '--tls-cert',
      path.join(dir, 'tls.crt'),
      '--tls-key',
      path.join(dir, 'tls.key'),
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--image',
      'registry.example/ai-gateway:cli',
    ]);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const listening = await firstJsonLine(child.stdout, (line) => line.msg === WEBHOOK_LISTENING);
      const fixture = readFileSync(path.join(repoRoot, 'test/admission/fixtures/create-annotated-pod.json'), 'utf8');
      const reply = await call(String(listening.url), pair.cert, 'POST', '/mutate', fixture);
      const review = JSON.parse(reply.body) as AdmissionReview;
      const patch = JSON.parse(Buffer.from(review.response?.patch ?? '', 'base64').toString('utf8')) as { value: { image?: string } }[];
      assert.equal(patch[0]?.value.image, 'registry.example/ai-gateway:cli');
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      assert.deepEqual(await exited, [0, null]);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start without its certificate, saying which flag', async () => {
    const { command, args } = cliCommand(['webhook', '--tls-cert', '/nonexistent/tls.crt', '--tls-key', '/nonexistent/tls.key', '--port', '0']);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 1);
    assert.match(stderr, /--tls-cert: file not found: \/nonexistent\/tls.crt/);
  });
});

/** The first JSON log line on a stream that satisfies `test`. */
function firstJsonLine(stream: NodeJS.ReadableStream, test: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const text of lines) {
        const line = JSON.parse(text) as Record<string, unknown>;
        if (test(line)) {
          stream.off('data', onData);
          resolve(line);
          return;
        }
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error('the process ended before logging the expected line')));
  });
}

function errorOf(body: string): { type: string; message: string } {
  return (JSON.parse(body) as { error: { type: string; message: string } }).error;
}
