// What tracing runs with: `gateway.telemetry` as written, and for each key it leaves unset the standard OpenTelemetry
// environment variable (OTEL_EXPORTER_OTLP_*, OTEL_TRACES_SAMPLER(_ARG), OTEL_SERVICE_NAME). No endpoint from either:
// tracing is off.
import type { OtlpProtocol, TelemetryConfig } from '../../../common/src/config';

export interface TracingSettings {
  /** The full URL spans are POSTed to (…/v1/traces). */
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  sampleRatio: number;
  serviceName: string;
  maxQueueSize: number;
}

export interface ResolvedTracing {
  settings?: TracingSettings;
  /** Settings that could not be followed as given, said once when the config is applied. */
  warnings: string[];
}

const TRACES_PATH = '/v1/traces';

export function resolveTracing(config: TelemetryConfig | undefined, env: Record<string, string | undefined>): ResolvedTracing {
  const warnings: string[] = [];
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { warnings };
  const url = endpointUrl(config, env);
  if (!url) return { warnings };
  let protocol: string = config?.otlp?.protocol ?? env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    warnings.push(
      `OTLP protocol "${protocol}" is not supported (only http/protobuf and http/json): exporting with http/protobuf; point the endpoint at the collector's OTLP/HTTP port (4318)`,
    );
    protocol = 'http/protobuf';
  }
  return {
    settings: {
      url,
      protocol: protocol as OtlpProtocol,
      headers: config?.otlp?.headers ?? parseHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS),
      sampleRatio: config?.sampleRatio ?? samplerRatio(env, warnings),
      serviceName: config?.serviceName ?? env.OTEL_SERVICE_NAME ?? 'ai-gateway',
      maxQueueSize: config?.maxQueueSize ?? 2048,
    },
    warnings,
  };
}

/** A base endpoint gets `/v1/traces` (as OTEL_EXPORTER_OTLP_ENDPOINT does); the traces-specific variable is used as is. */
function endpointUrl(config: TelemetryConfig | undefined, env: Record<string, string | undefined>): string | undefined {
  const configured = config?.otlp?.endpoint;
  if (configured) return withTracesPath(configured);
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return undefined;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  return env.OTEL_EXPORTER_OTLP_ENDPOINT ? withTracesPath(env.OTEL_EXPORTER_OTLP_ENDPOINT) : undefined;
}

function withTracesPath(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith(TRACES_PATH) ? base : `${base}${TRACES_PATH}`;
}

/** `key1=value1,key2=value2`, values percent-encoded (the OTLP exporter specification's format). */
export function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // a malformed escape: the pair is skipped rather than sent half-decoded
    }
  }
  return headers;
}

function samplerRatio(env: Record<string, string | undefined>, warnings: string[]): number {
  const sampler = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  if (sampler === 'always_off' || sampler === 'parentbased_always_off') return 0;
  if (sampler !== 'traceidratio' && sampler !== 'parentbased_traceidratio') return 1;
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG);
  if (env.OTEL_TRACES_SAMPLER_ARG !== undefined && ratio >= 0 && ratio <= 1) return ratio;
  warnings.push(`OTEL_TRACES_SAMPLER_ARG "${env.OTEL_TRACES_SAMPLER_ARG ?? ''}" is not a ratio between 0 and 1: sampling every request`);
  return 1;
}
