// The SpanExporter the batch processor calls on the gateway's thread: it turns the batch into plain data and posts
// it to the export worker (exportWorker.ts), which serializes and sends it; the worker's answer completes the export.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { ExportBatch, ExportDone, ExportWorkerOptions, PlainSpan } from './exportMessages';

/** Next to this file both in `out/` (tsc) and in `dist/` (the bundle, scripts/bundleOptions.mjs). */
const WORKER_FILE = path.join(__dirname, 'exportWorker.js');
/** How long a closing worker gets to send what it holds. */
const SHUTDOWN_GRACE_MS = 2_000;

export class WorkerSpanExporter implements SpanExporter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, (result: ExportResult) => void>();
  private nextId = 0;
  private stopped: Promise<void> | undefined;

  constructor(options: ExportWorkerOptions) {
    this.worker = new Worker(WORKER_FILE, { workerData: options });
    this.worker.on('message', (message: ExportDone | { shutdown: true }) => {
      if ('shutdown' in message) {
        void this.worker.terminate();
        return;
      }
      const done = this.pending.get(message.id);
      this.pending.delete(message.id);
      done?.({ code: message.code, ...(message.error ? { error: new Error(message.error) } : {}) });
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', () => this.failAll(new Error('the span export worker stopped')));
    this.worker.unref(); // after the listeners (a 'message' listener refs the worker again): export never keeps the process up
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const first = spans[0];
    if (!first) return resultCallback({ code: ExportResultCode.SUCCESS });
    const id = ++this.nextId;
    this.pending.set(id, resultCallback);
    const scope = first.instrumentationScope;
    const batch: ExportBatch = {
      id,
      resource: first.resource.attributes,
      scope: { name: scope.name, ...(scope.version ? { version: scope.version } : {}) },
      spans: spans.map(plainSpan),
    };
    this.worker.postMessage(batch);
  }

  /** The worker sends what it holds, then ends; one that cannot (a stalled collector) is stopped after a grace time. */
  shutdown(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ shutdown: true });
      setTimeout(() => void this.worker.terminate(), SHUTDOWN_GRACE_MS).unref();
    });
    return this.stopped;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve(); // every batch is handed over at once; what is in flight completes its own callback
  }

  private failAll(err: Error): void {
    for (const done of this.pending.values()) done({ code: ExportResultCode.FAILED, error: err });
    this.pending.clear();
  }
}

function plainSpan(span: ReadableSpan): PlainSpan {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  const traceState = context.traceState?.serialize();
  return {
    name: span.name,
    kind: span.kind,
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: context.traceFlags,
    ...(traceState ? { traceState } : {}),
    ...(parent?.spanId ? { parentSpanId: parent.spanId, parentRemote: parent.isRemote === true } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    attributes: span.attributes,
    droppedAttributesCount: span.droppedAttributesCount,
    status: span.status,
  };
}
