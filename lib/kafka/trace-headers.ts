import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api'
import type { OutgoingHeader } from './sink.js'

/**
 * The record headers that carry a trace context: W3C Trace Context's `traceparent` and `tracestate`, the
 * fields OpenTelemetry's W3C propagator reads and writes. The producer writes them on each record, the
 * processor carries them on to the sink records and reads them back as its upstream contexts.
 */
export const TRACE_HEADERS: readonly string[] = ['traceparent', 'tracestate']

/** A record's trace headers, as sent: one array, shared by the records of one producer batch. */
export type TraceHeaders = readonly OutgoingHeader[]

/**
 * The one carrier between OpenTelemetry's propagator and Kafka record headers: the producer's propagator
 * writes a batch's context into its headers through it, and the processor's tracing reads the contexts
 * its records carried back through it. Header values are text (W3C Trace Context is ASCII), so a Buffer's
 * bytes are read as such.
 */
export const traceHeaderCarrier: TextMapGetter<TraceHeaders> & TextMapSetter<OutgoingHeader[]> = {
  keys: (headers) => headers.map(({ key }) => key),
  get: (headers, key) => {
    const header = headers.find((one) => one.key === key)
    return header === undefined ? undefined : String(header.value)
  },
  set: (headers, key, value) => {
    headers.push({ key, value })
  },
}
