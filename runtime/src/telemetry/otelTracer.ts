// Everything of the gateway's tracing that needs the OpenTelemetry SDK: the tracer provider with its bounded batch
// processor and OTLP exporter, and the request's spans. tracing.ts loads this module only when tracing is on, so a
// gateway without telemetry does not load the SDK (about 250 modules, ~5 MB of RSS).
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Tracer } from '@opentelemetry/api';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider, type Sampler } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import { redactUrl } from '../../../common/src/config';
import type { GatewayMetrics } from '../observability/metrics';
import { RequestSpan } from './requestSpan';
import type { TracingSettings } from './settings';
import { AccountedExporter, droppedSpanMeter } from './spanAccounting';

/**
 * Spans per export (the SDK's default). Each export costs its HTTP request (about 300 µs of CPU here) besides
 * serializing (about 5 µs a span, on the gateway's thread): 128 a batch cost twice the CPU per span of 512, and 512
 * hold the event loop for 2-3 ms a few times a second at full load (docs/decisions.md, issue 19).
 */
const EXPORT_BATCH_SPANS = 512;

export function createProvider(settings: TracingSettings, metrics: GatewayMetrics, logger: Logger): TracerProvider {
  const options = { url: settings.url, headers: settings.headers };
  const exporter = settings.protocol === 'http/json' ? new JsonExporter(options) : new ProtobufExporter(options);
  const processor = new BatchSpanProcessor({
    exporter: new AccountedExporter(exporter, metrics, logger, redactUrl(settings.url)),
    maxQueueSize: settings.maxQueueSize,
    maxExportBatchSize: Math.min(EXPORT_BATCH_SPANS, settings.maxQueueSize),
    selfObsMeterProvider: droppedSpanMeter(metrics),
  });
  // OTEL_RESOURCE_ATTRIBUTES adds to the resource; service.name is the config's, else OTEL_SERVICE_NAME's; the
  // process id tells the processes of gateway.workers apart (not the process detector: its command line is not ours to send).
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ 'service.name': settings.serviceName, 'process.pid': process.pid }));
  return new TracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: rootSampler(settings.sampleRatio) }),
    spanProcessors: [processor],
  });
}

/** The request's spans, continuing the client's traceparent. */
export function startRequestSpan(tracer: Tracer, req: IncomingMessage, method: string, path: string): RequestSpan {
  return new RequestSpan(tracer, method, path, req.headers, (req.socket as TLSSocket).encrypted === true);
}

/** A ratio of 1 samples every new trace without hashing its id. */
function rootSampler(ratio: number): Sampler {
  return ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio);
}
