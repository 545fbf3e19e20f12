import type { OutgoingHeader } from '../kafka/sink.js'
import type { MskRecord } from '../msk/event.js'
import {
  formatTraceparent,
  formatXrayTraceHeader,
  parseTraceparent,
  parseXrayTraceHeader,
  type TraceContext,
} from './trace-context.js'

/**
 * The record headers that carry a trace context. Both forms go on each record: `traceparent` for
 * OpenTelemetry and W3C consumers, `X-Amzn-Trace-Id` for X-Ray's; `tracestate` travels with
 * `traceparent` when another producer set it.
 */
export const TRACE_HEADERS = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  xray: 'X-Amzn-Trace-Id',
} as const

/** The headers a producer puts on each record of a batch (one array, shared by the batch's records). */
export function traceHeaders(context: TraceContext): OutgoingHeader[] {
  return [
    { key: TRACE_HEADERS.traceparent, value: formatTraceparent(context) },
    { key: TRACE_HEADERS.xray, value: formatXrayTraceHeader(context) },
  ]
}

/**
 * Header bytes as a Buffer, keeping the low 8 bits of each Java byte. A plain loop: Buffer.from(array)
 * takes about ten times as long (900 ns for a trace header), which would double the per-record cost.
 */
function toBuffer(bytes: readonly number[]): Buffer {
  const buffer = Buffer.allocUnsafe(bytes.length)
  for (let i = 0; i < bytes.length; i++) buffer[i] = (bytes[i] ?? 0) & 0xff
  return buffer
}

function isTraceHeader(key: string): boolean {
  return key === TRACE_HEADERS.traceparent || key === TRACE_HEADERS.xray || key === TRACE_HEADERS.tracestate
}

const NONE: readonly OutgoingHeader[] = []

/**
 * The last record's trace headers, as Lambda delivered them and as copied. The records of one producer
 * batch carry the same bytes, so their sink records share one copy (read-only, like every
 * OutgoingHeader): every sink record of an event is kept until the send, so what each one allocates
 * weighs twice.
 */
let previous:
  | { readonly carried: readonly RawHeader[]; readonly copied: readonly OutgoingHeader[] }
  | undefined

interface RawHeader {
  readonly key: string
  readonly bytes: readonly number[]
}

/** Whether the record carries exactly the trace headers the previous record did, in the same order. */
function carriesPrevious(headers: NonNullable<MskRecord['headers']>, last: readonly RawHeader[]): boolean {
  let found = 0
  for (const header of headers) {
    for (const key in header) {
      if (!isTraceHeader(key)) continue
      const expected = last[found++]
      const bytes = header[key]
      if (expected === undefined || bytes === undefined || expected.key !== key) return false
      if (!sameBytes(expected.bytes, bytes)) return false
    }
  }
  return found === last.length
}

/**
 * The trace headers a record carries (`traceparent`, `tracestate`, `X-Amzn-Trace-Id`), as sink headers to
 * carry on; the same (frozen-by-convention) array for every record of a producer batch.
 */
export function carriedTraceHeaders(record: MskRecord): readonly OutgoingHeader[] {
  const headers = record.headers
  if (headers === undefined || headers.length === 0) return NONE
  if (previous !== undefined && carriesPrevious(headers, previous.carried)) return previous.copied
  const carried: RawHeader[] = []
  const copied: OutgoingHeader[] = []
  for (const header of headers) {
    for (const key in header) {
      const bytes = header[key]
      if (bytes === undefined || !isTraceHeader(key)) continue
      carried.push({ key, bytes })
      copied.push({ key, value: toBuffer(bytes) })
    }
  }
  if (copied.length === 0) return NONE
  previous = { carried, copied }
  return copied
}

/** A record's trace header as Lambda delivers it (bytes): X-Ray's when present, else `traceparent`. */
export interface RawTraceHeader {
  readonly key: typeof TRACE_HEADERS.xray | typeof TRACE_HEADERS.traceparent
  readonly bytes: readonly number[]
}

export function rawTraceHeader(record: MskRecord): RawTraceHeader | undefined {
  const headers = record.headers
  if (headers === undefined || headers.length === 0) return undefined
  let traceparent: readonly number[] | undefined
  for (const header of headers) {
    const xray = header[TRACE_HEADERS.xray]
    if (xray !== undefined) return { key: TRACE_HEADERS.xray, bytes: xray }
    traceparent ??= header[TRACE_HEADERS.traceparent]
  }
  return traceparent === undefined ? undefined : { key: TRACE_HEADERS.traceparent, bytes: traceparent }
}

/** Trace headers are ASCII; a byte outside it (negative, as Java sends it) fails the parse. */
export function decodeTraceHeader({ key, bytes }: RawTraceHeader): TraceContext | undefined {
  const text = String.fromCharCode(...bytes)
  return key === TRACE_HEADERS.xray ? parseXrayTraceHeader(text) : parseTraceparent(text)
}

export function sameBytes(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
