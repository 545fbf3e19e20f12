import { createRequire } from 'node:module'

/**
 * OpenTelemetry's own protobuf classes for OTLP, generated from opentelemetry-proto by the OpenTelemetry
 * JavaScript project: @opentelemetry/otlp-transformer shipped them (protobufjs) up to 0.215, before it
 * wrote its own encoder, and the tests decode what the exporters sent with them (package.json aliases that
 * release as otlp-transformer-protobuf-root). Nothing of the project's own reads the bytes back.
 */
interface StaticMessage {
  decode(bytes: Uint8Array): unknown
  toObject(message: unknown, options: Record<string, unknown>): unknown
}
const root = createRequire(import.meta.url)('otlp-transformer-protobuf-root/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: StaticMessage } } } } }
}
const { ExportTraceServiceRequest } = root.opentelemetry.proto.collector.trace.v1

/** The X-Ray daemon protocol's header line, which every datagram starts with. */
export const DAEMON_HEADER_LINE = '{"format":"json","version":1}'

type AttributeValue = string | number | boolean | (string | number | boolean)[]

export interface DecodedSpan {
  readonly service: string
  readonly resource: Record<string, AttributeValue>
  readonly scope: string
  readonly name: string
  readonly kind: number
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string
  readonly attributes: Record<string, AttributeValue>
  readonly links: { traceId: string; spanId: string }[]
  readonly status: { code: number; message: string }
  readonly events: string[]
  readonly startMs: number
  readonly endMs: number
}

interface AnyValue {
  stringValue?: string
  boolValue?: boolean
  intValue?: string
  doubleValue?: number
  arrayValue?: { values?: AnyValue[] }
}

const hex = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('hex')

function value(any: AnyValue): AttributeValue {
  if (any.arrayValue !== undefined) return (any.arrayValue.values ?? []).map(value) as AttributeValue
  if (any.intValue !== undefined) return Number(any.intValue)
  return any.stringValue ?? any.boolValue ?? any.doubleValue ?? ''
}

const attributes = (list: { key: string; value: AnyValue }[] | undefined) =>
  Object.fromEntries((list ?? []).map(({ key, value: v }) => [key, value(v)]))

/** An OTLP ExportTraceServiceRequest in protobuf, decoded to its spans. */
export function decodeTraceRequest(bytes: Uint8Array): DecodedSpan[] {
  const request = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(bytes), {
    longs: String,
    bytes: String,
    enums: Number,
    defaults: true,
  }) as {
    resourceSpans: {
      resource: { attributes: { key: string; value: AnyValue }[] }
      scopeSpans: { scope: { name: string }; spans: Record<string, unknown>[] }[]
    }[]
  }
  return request.resourceSpans.flatMap(({ resource, scopeSpans }) => {
    const resourceAttributes = attributes(resource.attributes)
    return scopeSpans.flatMap(({ scope, spans }) =>
      spans.map((span) => {
        const s = span as {
          name: string
          kind: number
          traceId: string
          spanId: string
          parentSpanId: string
          attributes: { key: string; value: AnyValue }[]
          links: { traceId: string; spanId: string }[]
          status: { code: number; message: string }
          events: { name: string }[]
          startTimeUnixNano: string
          endTimeUnixNano: string
        }
        return {
          service: String(resourceAttributes['service.name']),
          resource: resourceAttributes,
          scope: scope.name,
          name: s.name,
          kind: s.kind,
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          attributes: attributes(s.attributes),
          links: s.links.map((link) => ({ traceId: hex(link.traceId), spanId: hex(link.spanId) })),
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
          events: s.events.map((event) => event.name),
          startMs: Number(BigInt(s.startTimeUnixNano) / 1_000_000n),
          endMs: Number(BigInt(s.endTimeUnixNano) / 1_000_000n),
        }
      }),
    )
  })
}

/**
 * One datagram as the X-Ray daemon reads it: the header line, `T1S` (sampled) or `T1U`, then the base64
 * of an OTLP request; undefined for anything else.
 */
export function decodeDaemonDatagram(
  datagram: Buffer,
): { sampled: boolean; spans: DecodedSpan[] } | undefined {
  const text = datagram.toString('utf8')
  const newline = text.indexOf('\n')
  if (text.slice(0, newline) !== DAEMON_HEADER_LINE) return undefined
  const prefix = text.slice(newline + 1, newline + 4)
  if (prefix !== 'T1S' && prefix !== 'T1U') return undefined
  return {
    sampled: prefix === 'T1S',
    spans: decodeTraceRequest(Buffer.from(text.slice(newline + 4), 'base64')),
  }
}
