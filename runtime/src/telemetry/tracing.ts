// The gateway's OpenTelemetry tracing: a tracer provider built from the applied config (and the OTEL_* variables),
// rebuilt when those settings change, with a bounded batch processor and the SDK's OTLP/HTTP exporter of the chosen
// encoding. A request only hands its finished spans to the processor's queue: batches are serialized and sent on the
// processor's own schedule, never inside a request, and a request never waits for them.
// No global provider, context manager or propagator is registered: the gateway passes contexts explicitly.
// The SDK itself (otelTracer.ts) is loaded only once a config turns tracing on.
import type { IncomingMessage } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import { redactUrl, type TelemetryConfig } from '../../../common/src/config';
import type { GatewayMetrics } from '../observability/metrics';
import type { RequestSpan } from './requestSpan';
import { resolveTracing } from './settings';

type OtelTracer = typeof import('./otelTracer');
let otel: OtelTracer | undefined;
/** The SDK side, loaded by the first config that turns tracing on (synchronously: a config applies in one step). */
function loadOtel(): OtelTracer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use so an untraced gateway never loads the SDK
  return (otel ??= require('./otelTracer') as OtelTracer);
}

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
    this.provider = settings ? loadOtel().createProvider(settings, this.metrics, this.logger) : undefined;
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
    return tracer && otel?.startRequestSpan(tracer, req, method, path);
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
}
