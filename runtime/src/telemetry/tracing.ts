// The gateway's OpenTelemetry tracing: a tracer provider built from the applied config (and the OTEL_* variables),
// rebuilt when those settings change, with a bounded batch processor and the OTLP/HTTP exporter of the chosen
// encoding in a worker thread. Spans are handed to the processor and nothing else: exporting runs on its timer and in
// that thread, never in a request.
// No global provider, context manager or propagator is registered: the gateway passes contexts explicitly.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Tracer } from '@opentelemetry/api';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import { redactUrl, type TelemetryConfig } from '../../../common/src/config';
import type { GatewayMetrics } from '../observability/metrics';
import { RequestSpan } from './requestSpan';
import { resolveTracing, type TracingSettings } from './settings';
import { AccountedExporter, droppedSpanMeter } from './spanAccounting';
import { WorkerSpanExporter } from './workerExporter';

/** How long closing waits for the last spans to go out. */
const CLOSE_FLUSH_MS = 2_000;

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
    // Serializing and sending run in a worker thread; the request thread only hands finished batches over.
    const exporter = new WorkerSpanExporter({ url: settings.url, protocol: settings.protocol, headers: settings.headers });
    const processor = new BatchSpanProcessor({
      exporter: new AccountedExporter(exporter, this.metrics, this.logger, redactUrl(settings.url)),
      maxQueueSize: settings.maxQueueSize,
      maxExportBatchSize: Math.min(512, settings.maxQueueSize),
      selfObsMeterProvider: droppedSpanMeter(this.metrics),
    });
    // OTEL_RESOURCE_ATTRIBUTES adds to the resource; service.name is the config's, else OTEL_SERVICE_NAME's.
    const resource = defaultResource()
      .merge(detectResources({ detectors: [envDetector] }))
      .merge(resourceFromAttributes({ 'service.name': settings.serviceName }));
    return new TracerProvider({
      resource,
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
      spanProcessors: [processor],
    });
  }
}
