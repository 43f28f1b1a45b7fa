// The mutating admission webhook over HTTPS, as the Kubernetes API server calls it: POST /mutate with an
// AdmissionReview. Also GET /healthz for probes and GET /metrics (review counts) for Prometheus.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Counter, Registry } from 'prom-client';
import { InvalidAdmissionReview, reviewAdmission, type ReviewOutcome } from './review';
import type { SidecarOptions } from './sidecar';
import type { AdmissionReview, Pod } from './types';

export interface AdmissionWebhookOptions {
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
  sidecar: SidecarOptions;
  logger: Logger;
  /** How often the certificate files are checked for rotation (cert-manager renews them in place). */
  certPollMs?: number;
}

export interface AdmissionWebhook {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export const WEBHOOK_PATH = '/mutate';
export const WEBHOOK_LISTENING = 'webhook listening';
export const WEBHOOK_CERT_RELOADED = 'webhook certificate reloaded';

// The API server caps objects near 1.5 MiB; an AdmissionReview carries the pod, maybe twice (UPDATE).
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export async function startAdmissionWebhook(options: AdmissionWebhookOptions): Promise<AdmissionWebhook> {
  const { logger } = options;
  const registry = new Registry();
  const reviews = new Counter({
    name: 'ai_gateway_admission_reviews_total',
    help: 'Admission reviews answered by the sidecar injector, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });

  const server = createServer({ cert: readFileSync(options.certFile), key: readFileSync(options.keyFile), requestTimeout: 10_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'webhook request failed');
      if (!res.headersSent) sendJson(res, 500, errorBody('internal_error', 'the webhook failed to answer'));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(await registry.metrics());
      return;
    }
    if (path !== WEBHOOK_PATH) return sendJson(res, 404, errorBody('not_found', `no such path ${path}; the webhook serves POST ${WEBHOOK_PATH}`));
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendJson(res, 405, errorBody('method_not_allowed', `${WEBHOOK_PATH} takes POST`));
    }
    const body = await readJson(req);
    if (typeof body === 'string') {
      reviews.inc({ outcome: 'invalid' });
      return sendJson(res, 400, errorBody('invalid_admission_review', body));
    }
    try {
      const result = reviewAdmission(body, options.sidecar);
      reviews.inc({ outcome: result.outcome });
      logReview(logger, body, result.outcome, result.detail);
      sendJson(res, 200, result.review);
    } catch (err) {
      if (!(err instanceof InvalidAdmissionReview)) throw err;
      reviews.inc({ outcome: 'invalid' });
      sendJson(res, 400, errorBody('invalid_admission_review', err.message));
    }
  }

  const stopCertWatch = watchCertificate(server, options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `https://${host}:${port}`;
  logger.info({ url, path: WEBHOOK_PATH, image: options.sidecar.image }, WEBHOOK_LISTENING);

  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        stopCertWatch();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// Rotated certificates are picked up by new connections without a restart.
function watchCertificate(server: Server, options: AdmissionWebhookOptions): () => void {
  const interval = options.certPollMs ?? 10_000;
  const reload = (): void => {
    try {
      server.setSecureContext({ cert: readFileSync(options.certFile), key: readFileSync(options.keyFile) });
      options.logger.info({ certFile: options.certFile }, WEBHOOK_CERT_RELOADED);
    } catch (err) {
      options.logger.error({ err: (err as Error).message, certFile: options.certFile }, 'webhook certificate reload failed; keeping the previous one');
    }
  };
  watchFile(options.certFile, { interval, persistent: false }, reload);
  watchFile(options.keyFile, { interval, persistent: false }, reload);
  return () => {
    unwatchFile(options.certFile, reload);
    unwatchFile(options.keyFile, reload);
  };
}

// Only called after reviewAdmission accepted the body, so it is an AdmissionReview with a request.
function logReview(logger: Logger, body: unknown, outcome: ReviewOutcome, detail: string): void {
  const request = (body as AdmissionReview).request;
  const pod = request?.name ?? (request?.object as Pod | undefined)?.metadata?.generateName ?? '';
  logger.info({ namespace: request?.namespace, pod, uid: request?.uid, outcome, detail }, 'admission review');
}

/** The parsed body, or a message saying why it is not one. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) return `content-type: expected application/json, got "${type}"`;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return `body: larger than ${MAX_BODY_BYTES} bytes`;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    return `body: not valid JSON (${(err as Error).message})`;
  }
}

function errorBody(type: string, message: string): { error: { type: string; message: string } } {
  return { error: { type, message } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
