// What crosses between the gateway's thread and the span export worker (exportWorker.ts): plain data only.
import type { Attributes, SpanStatus } from '@opentelemetry/api';
import type { OtlpProtocol } from '../../../common/src/config';

export interface ExportWorkerOptions {
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
}

/** A finished span without its SDK objects. Events and links are not used by the gateway's spans. */
export interface PlainSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  traceFlags: number;
  traceState?: string;
  parentSpanId?: string;
  parentRemote?: boolean;
  startTime: [number, number];
  endTime: [number, number];
  attributes: Attributes;
  droppedAttributesCount: number;
  status: SpanStatus;
}

/** Gateway -> worker: one batch (all spans of a batch share the gateway's resource and scope). */
export interface ExportBatch {
  id: number;
  resource: Attributes;
  scope: { name: string; version?: string };
  spans: PlainSpan[];
}

/** Worker -> gateway: how the batch's export went (`code` as the SDK's ExportResultCode). */
export interface ExportDone {
  id: number;
  code: number;
  error?: string;
}
