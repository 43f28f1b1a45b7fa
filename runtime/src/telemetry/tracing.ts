// The gateway's OpenTelemetry tracing: a tracer provider built from the applied config (and the OTEL_* variables),
// rebuilt when those settings change, with a bounded batch processor and the SDK's OTLP/HTTP exporter of the chosen
// encoding. A request only hands its finished spans to the processor's queue: batches are serialized and sent on the
// processor's own schedule, never inside a request, and a request never waits for them.
// No global provider, context manager or propagator is registered: the gateway passes contexts explicitly.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Tracer } from '@opentelemetry/api';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider, type Sampler } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import { redactUrl, type TelemetryConfig } from '../../../common/src/config';
import type { GatewayMetrics } from '../observability/metrics';
import { RequestSpan } from './requestSpan';
import { resolveTracing, type TracingSettings } from './settings';
import { AccountedExporter, droppedSpanMeter } from './spanAccounting';

/** How long closing waits for the last spans to go out. */
const CLOSE_FLUSH_MS = 2_000;
/**
 * Spans per export (the SDK's default). Each export costs its HTTP request (about 300 µs of CPU here) besides
 * serializing (about 5 µs a span, on the gateway's thread): 128 a batch cost twice the CPU per span of 512, and 512
 * hold the event loop for 2-3 ms a few times a second at full load (docs/decisions.md, issue 19).
 */
const EXPORT_BATCH_SPANS = 512;

export class GatewayTracing {
  private provider: TracerProvider | undefined;
  private tracer: Tracer | undefined;
  private settingsKey = '';

  constructor(
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /** Whether requests get spans: one property read on the request path. */
  get active(): boolean {
    return this.tracer !== undefined;
  }

  /** Follows an applied config: builds, replaces or stops the provider when the resolved settings changed. */
  configure(config: TelemetryConfig | undefined): void {
    const { settings, warnings } = resolveTracing(config, this.env);
    const key = settings ? JSON.stringify(settings) : '';
    if (key === this.settingsKey) return;
    this.settingsKey = key;
    for (const warning of warnings) this.logger.warn(warning);
    const previous = this.provider;
    this.provider = settings ? this.createProvider(settings) : undefined;
    this.tracer = this.provider?.getTracer('ai-gateway');
    if (previous) void previous.shutdown().catch(() => undefined); // its queued spans still go out
    if (settings) {
      this.logger.info(
        { collector: redactUrl(settings.url), protocol: settings.protocol, sampleRatio: settings.sampleRatio },
        'tracing on: spans are exported over OTLP',
      );
    } else if (previous) {
      this.logger.info('tracing off');
    }
  }

  /** The request's spans (continuing the client's traceparent), or undefined when tracing is off. */
  startRequest(req: IncomingMessage, method: string, path: string): RequestSpan | undefined {
    const tracer = this.tracer;
    return tracer && new RequestSpan(tracer, method, path, req.headers, (req.socket as TLSSocket).encrypted === true);
  }

  /** Exports what is queued now rather than on the batch timer (tests, and before a planned stop). */
  async flush(): Promise<void> {
    await this.provider?.forceFlush().catch(() => undefined);
  }

  /** Exports what is queued (within a bound) and stops. */
  async close(): Promise<void> {
    const provider = this.provider;
    this.provider = undefined;
    this.tracer = undefined;
    if (!provider) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([provider.shutdown().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_FLUSH_MS)))]);
    clearTimeout(timer);
  }

  private createProvider(settings: TracingSettings): TracerProvider {
    const options = { url: settings.url, headers: settings.headers };
    const exporter = settings.protocol === 'http/json' ? new JsonExporter(options) : new ProtobufExporter(options);
    const processor = new BatchSpanProcessor({
      exporter: new AccountedExporter(exporter, this.metrics, this.logger, redactUrl(settings.url)),
      maxQueueSize: settings.maxQueueSize,
      maxExportBatchSize: Math.min(EXPORT_BATCH_SPANS, settings.maxQueueSize),
      selfObsMeterProvider: droppedSpanMeter(this.metrics),
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
}

/** A ratio of 1 samples every new trace without hashing its id. */
function rootSampler(ratio: number): Sampler {
  return ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio);
}
