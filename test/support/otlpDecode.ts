// OTLP trace export requests, decoded the way a collector reads them: protobuf with the OpenTelemetry JS packages' own
// wire reader (@opentelemetry/otlp-transformer's ProtobufReader, field numbers of opentelemetry/proto's trace.proto,
// as that package's serializer writes them), JSON as its `IExportTraceServiceRequest` types describe it.
import { ProtobufReader } from '@opentelemetry/otlp-transformer/build/src/common/protobuf/protobuf-reader';
import type { IAnyValue, IKeyValue } from '@opentelemetry/otlp-transformer/build/src/common/internal-types';
import type { IExportTraceServiceRequest } from '@opentelemetry/otlp-transformer/build/src/trace/internal-types';

export type AttributeValue = string | number | boolean | AttributeValue[] | undefined;

/** One span as the receiver reports it: ids in hex, attributes as plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, AttributeValue>;
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  resource: Record<string, AttributeValue>;
  scope: string;
}

export function decodeJson(body: string): ReceivedSpan[] {
  const request = JSON.parse(body) as IExportTraceServiceRequest;
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributesOf(resourceSpans.resource?.attributes ?? []);
    return resourceSpans.scopeSpans.flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span) => ({
        traceId: hexOf(span.traceId),
        spanId: hexOf(span.spanId),
        parentSpanId: span.parentSpanId ? hexOf(span.parentSpanId) : '',
        traceState: span.traceState ?? '',
        name: span.name,
        kind: Number(span.kind),
        attributes: attributesOf(span.attributes),
        status: { code: Number(span.status?.code ?? 0), ...(span.status?.message ? { message: span.status.message } : {}) },
        resource,
        scope: scopeSpans.scope?.name ?? '',
      })),
    );
  });
}

function hexOf(id: string | Uint8Array): string {
  return typeof id === 'string' ? id : Buffer.from(id).toString('hex');
}

function attributesOf(list: IKeyValue[]): Record<string, AttributeValue> {
  return Object.fromEntries(list.map((kv) => [kv.key, valueOf(kv.value)]));
}

function valueOf(value: IAnyValue | undefined): AttributeValue {
  if (!value) return undefined;
  if (value.stringValue !== undefined && value.stringValue !== null) return value.stringValue;
  if (value.boolValue !== undefined && value.boolValue !== null) return value.boolValue;
  if (value.intValue !== undefined && value.intValue !== null) return Number(value.intValue);
  if (value.doubleValue !== undefined && value.doubleValue !== null) return value.doubleValue;
  if (value.arrayValue) return value.arrayValue.values.map(valueOf);
  return undefined;
}

export function decodeProtobuf(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  fields(body, (field, reader) => {
    if (field !== 1) return false; // ExportTraceServiceRequest.resource_spans
    decodeResourceSpans(reader.readBytes(), spans);
    return true;
  });
  return spans;
}

type FieldHandler = (field: number, reader: ProtobufReader, wireType: number) => boolean;

/** Calls `handle` for each field; a field it does not take is skipped. */
function fields(bytes: Uint8Array, handle: FieldHandler): void {
  const reader = new ProtobufReader(bytes);
  while (!reader.isAtEnd()) {
    const { fieldNumber, wireType } = reader.readTag();
    if (!handle(fieldNumber, reader, wireType)) reader.skip(wireType);
  }
}

function decodeResourceSpans(bytes: Uint8Array, out: ReceivedSpan[]): void {
  let resource: Record<string, AttributeValue> = {};
  const scopes: Uint8Array[] = [];
  fields(bytes, (field, reader) => {
    if (field === 1)
      resource = decodeAttributesOf(reader.readBytes(), 1); // Resource.attributes
    else if (field === 2)
      scopes.push(reader.readBytes()); // ScopeSpans
    else return false;
    return true;
  });
  for (const scopeSpans of scopes) {
    let scope = '';
    fields(scopeSpans, (field, reader) => {
      if (field === 1) {
        fields(reader.readBytes(), (f, r) => (f === 1 ? ((scope = r.readString()), true) : false)); // InstrumentationScope.name
      } else if (field === 2) {
        out.push({ ...decodeSpan(reader.readBytes()), resource, scope });
      } else return false;
      return true;
    });
  }
}

function decodeSpan(bytes: Uint8Array): Omit<ReceivedSpan, 'resource' | 'scope'> {
  const span: Omit<ReceivedSpan, 'resource' | 'scope'> = {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    traceState: '',
    name: '',
    kind: 0,
    attributes: {},
    status: { code: 0 },
  };
  fields(bytes, (field, reader) => {
    switch (field) {
      case 1:
        span.traceId = Buffer.from(reader.readBytes()).toString('hex');
        return true;
      case 2:
        span.spanId = Buffer.from(reader.readBytes()).toString('hex');
        return true;
      case 3:
        span.traceState = reader.readString();
        return true;
      case 4:
        span.parentSpanId = Buffer.from(reader.readBytes()).toString('hex');
        return true;
      case 5:
        span.name = reader.readString();
        return true;
      case 6:
        span.kind = reader.readVarint();
        return true;
      case 9: {
        const [key, value] = decodeKeyValue(reader.readBytes());
        span.attributes[key] = value;
        return true;
      }
      case 15:
        fields(reader.readBytes(), (f, r) => {
          if (f === 2) span.status.message = r.readString();
          else if (f === 3) span.status.code = r.readVarint();
          else return false;
          return true;
        });
        return true;
      default:
        return false;
    }
  });
  return span;
}

/** The KeyValue entries at `field` of a message (Resource.attributes is field 1). */
function decodeAttributesOf(bytes: Uint8Array, field: number): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  fields(bytes, (f, reader) => {
    if (f !== field) return false;
    const [key, value] = decodeKeyValue(reader.readBytes());
    attributes[key] = value;
    return true;
  });
  return attributes;
}

function decodeKeyValue(bytes: Uint8Array): [string, AttributeValue] {
  let key = '';
  let value: AttributeValue;
  fields(bytes, (field, reader) => {
    if (field === 1) key = reader.readString();
    else if (field === 2) value = decodeAnyValue(reader.readBytes());
    else return false;
    return true;
  });
  return [key, value];
}

function decodeAnyValue(bytes: Uint8Array): AttributeValue {
  let value: AttributeValue;
  fields(bytes, (field, reader) => {
    switch (field) {
      case 1:
        value = reader.readString();
        return true;
      case 2:
        value = reader.readVarint() !== 0;
        return true;
      case 3:
        value = reader.readVarint();
        return true;
      case 4: // double, fixed 64 bits
        value = Buffer.from(bytes.buffer, bytes.byteOffset + reader.pos, 8).readDoubleLE(0);
        reader.pos += 8;
        return true;
      case 5: {
        const values: AttributeValue[] = [];
        fields(reader.readBytes(), (f, r) => (f === 1 ? (values.push(decodeAnyValue(r.readBytes())), true) : false));
        value = values;
        return true;
      }
      default:
        return false;
    }
  });
  return value;
}
