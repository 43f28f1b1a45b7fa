// Where every finished span went, without touching the request path: the batch processor reports spans dropped
// because its queue was full through the SDK's own self-observability counter (`otel.sdk.processor.span.processed`
// with `error.type`), which this meter turns into Prometheus counts; export outcomes are read around the exporter,
// which also says once when the collector stops answering and once when it answers again.
import { createNoopMeter, type Counter, type Meter, type MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/metrics';

const PROCESSED_SPANS = 'otel.sdk.processor.span.processed';

/** A MeterProvider for the batch processor's `selfObsMeterProvider`: its dropped spans become our counter. */
export function droppedSpanMeter(metrics: GatewayMetrics): MeterProvider {
  const noop = createNoopMeter();
  const processed = {
    add(count: number, attributes?: Record<string, unknown>) {
      if (attributes?.['error.type'] === 'queue_full') metrics.traceSpansDropped.labels({ reason: 'queue_full' }).inc(count);
    },
  } as Counter;
  const meter = Object.create(noop) as Meter;
  meter.createCounter = (name, options) => (name === PROCESSED_SPANS ? processed : noop.createCounter(name, options));
  return { getMeter: () => meter };
}

/** The OTLP exporter, counted: spans accepted or lost, and one log line per change between reachable and not. */
export class AccountedExporter implements SpanExporter {
  private failing = false;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
    /** The collector's URL as shown in logs (without credentials). */
    private readonly url: string,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.exporter.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) {
        this.metrics.traceSpansExported.inc(spans.length);
        if (this.failing) this.logger.info({ collector: this.url }, 'trace collector reachable again: spans are exported');
        this.failing = false;
      } else {
        this.metrics.traceSpansDropped.labels({ reason: 'export_failed' }).inc(spans.length);
        if (!this.failing) {
          this.logger.warn(
            { collector: this.url, error: result.error?.message ?? 'export failed' },
            'trace collector unreachable: spans are dropped (counted in ai_gateway_trace_spans_dropped_total) until it answers; requests are not affected',
          );
        }
        this.failing = true;
      }
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }
}
