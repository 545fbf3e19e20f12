import type { OutgoingHeader } from '../kafka/sink.js'
import { TRACE_HEADERS, type TraceHeaders } from '../kafka/trace-headers.js'
import type { MskRecord } from '../msk/event.js'

/**
 * Header bytes as a Buffer, keeping the low 8 bits of each Java byte. A plain loop: Buffer.from(array)
 * takes about ten times as long (900 ns for a trace header), which would double the per-record cost.
 */
function toBuffer(bytes: readonly number[]): Buffer {
  const buffer = Buffer.allocUnsafe(bytes.length)
  for (let i = 0; i < bytes.length; i++) buffer[i] = (bytes[i] ?? 0) & 0xff
  return buffer
}

const isTraceHeader = (key: string) => TRACE_HEADERS.includes(key)

const NONE: TraceHeaders = []

interface RawHeader {
  readonly key: string
  readonly bytes: readonly number[]
}

/**
 * The last record's trace headers, as Lambda delivered them and as copied. The records of one producer
 * batch carry the same bytes, so their sink records share one copy (read-only, like every
 * OutgoingHeader): every sink record of an event is kept until the send, so what each one allocates
 * weighs twice.
 */
let previous: { readonly carried: readonly RawHeader[]; readonly copied: TraceHeaders } | undefined

function sameBytes(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
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
 * The trace headers a record carries (`traceparent`, `tracestate`), as sink headers to carry on: the same
 * (frozen-by-convention) array for every record of a run that carries the same bytes, as a producer
 * batch's records do.
 */
export function carriedTraceHeaders(record: MskRecord): TraceHeaders {
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

/**
 * The distinct trace contexts a partition's records carried, as their trace headers, in order of first
 * appearance: what the processor's tracing links its spans to. A run of records with the same headers
 * (one array, from carriedTraceHeaders) costs one comparison each; a new array is compared by its text.
 */
export class UpstreamContexts {
  readonly #found: TraceHeaders[] = []
  readonly #seen = new Set<string>()
  #last: TraceHeaders = NONE

  add(headers: TraceHeaders): void {
    if (headers === this.#last) return
    this.#last = headers
    if (headers.length === 0) return
    const text = headers.map(({ key, value }) => `${key}:${String(value)}`).join('\n')
    if (this.#seen.has(text)) return
    this.#seen.add(text)
    this.#found.push(headers)
  }

  get found(): readonly TraceHeaders[] {
    return this.#found
  }
}
