// The OTLP exporter in a worker thread: the gateway's thread hands over finished spans as plain data, and this thread
// serializes them (protobuf or JSON, with the OpenTelemetry exporters) and sends them to the collector. Serializing
// was half of what tracing cost the request thread (docs/decisions.md, "Spans are exported from a worker thread").
import { parentPort, workerData } from 'node:worker_threads';
import type { SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { ExportBatch, ExportDone, ExportWorkerOptions, PlainSpan } from './exportMessages';

const options = workerData as ExportWorkerOptions;
const exporterOptions = { url: options.url, headers: options.headers };
const exporter: SpanExporter = options.protocol === 'http/json' ? new JsonExporter(exporterOptions) : new ProtobufExporter(exporterOptions);

parentPort!.on('message', (message: ExportBatch | { shutdown: true }) => {
  if ('shutdown' in message) {
    void exporter.shutdown().finally(() => parentPort!.postMessage({ shutdown: true }));
    return;
  }
  const resource = resourceFromAttributes(message.resource);
  const scope = message.scope;
  exporter.export(
    message.spans.map((span) => readable(span, resource, scope)),
    (result) => parentPort!.postMessage({ id: message.id, code: result.code, ...(result.error ? { error: result.error.message } : {}) } satisfies ExportDone),
  );
});

/** A span as the exporters read it, from its plain form. */
function readable(span: PlainSpan, resource: ReadableSpan['resource'], scope: ReadableSpan['instrumentationScope']): ReadableSpan {
  const context: SpanContext = {
    traceId: span.traceId,
    spanId: span.spanId,
    traceFlags: span.traceFlags,
    ...(span.traceState ? { traceState: new TraceState(span.traceState) } : {}),
  };
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => context,
    ...(span.parentSpanId
      ? { parentSpanContext: { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: span.traceFlags, isRemote: span.parentRemote } }
      : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    links: [],
    events: [],
    duration: [span.endTime[0] - span.startTime[0], span.endTime[1] - span.startTime[1]],
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
