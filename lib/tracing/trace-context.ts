import { randomBytes } from 'node:crypto'

/**
 * Where a piece of work sits in a trace: the trace, the (sub)segment that caused it, and whether the
 * trace is recorded. Trace ids are kept in X-Ray's form, `1-<8 hex seconds>-<24 hex>`; a W3C trace id is
 * the same 32 hex digits without the version and hyphens (X-Ray guide, PutTraceSegments: "a W3C trace
 * ID 4efaaf4d1e8720b39541901950019ee5 should be formatted as 1-4efaaf4d-1e8720b39541901950019ee5").
 */
export interface TraceContext {
  readonly traceId: string
  /** The 16-hex-digit id of the segment or subsegment the next piece of work is a child of. */
  readonly parentId: string
  readonly sampled: boolean
}

const XRAY_TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/
const SEGMENT_ID = /^[0-9a-f]{16}$/
const ZERO_SEGMENT_ID = '0000000000000000'
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/

/** `Root=1-...;Parent=...;Sampled=1`, as Lambda sets `_X_AMZN_TRACE_ID` and X-Ray's SDKs send the header. */
export function parseXrayTraceHeader(header: string): TraceContext | undefined {
  let traceId: string | undefined
  let parentId: string | undefined
  let sampled = false
  for (const field of header.split(';')) {
    const separator = field.indexOf('=')
    const key = field.slice(0, separator).trim()
    const value = field.slice(separator + 1).trim()
    if (key === 'Root') traceId = value
    else if (key === 'Parent') parentId = value
    else if (key === 'Sampled') sampled = value === '1'
  }
  if (traceId === undefined || !XRAY_TRACE_ID.test(traceId)) return undefined
  if (parentId === undefined || !SEGMENT_ID.test(parentId) || parentId === ZERO_SEGMENT_ID) return undefined
  return { traceId, parentId, sampled }
}

export function formatXrayTraceHeader(context: TraceContext): string {
  return `Root=${context.traceId};Parent=${context.parentId};Sampled=${context.sampled ? '1' : '0'}`
}

/**
 * W3C Trace Context `traceparent`: `version-traceid-parentid-flags`. Unknown future versions are read by
 * their first four fields, as the specification asks; version ff and all-zero ids are invalid.
 */
export function parseTraceparent(value: string): TraceContext | undefined {
  const match = TRACEPARENT.exec(value.trim())
  if (match === null) return undefined
  const [, version, traceHex = '', parentId = '', flags = '00', rest] = match
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined
  if (/^0+$/.test(traceHex) || parentId === ZERO_SEGMENT_ID) return undefined
  return {
    traceId: `1-${traceHex.slice(0, 8)}-${traceHex.slice(8)}`,
    parentId,
    sampled: (Number.parseInt(flags, 16) & 1) === 1,
  }
}

export function formatTraceparent(context: TraceContext): string {
  const traceHex = context.traceId.slice(2, 10) + context.traceId.slice(11)
  return `00-${traceHex}-${context.parentId}-${context.sampled ? '01' : '00'}`
}

/** A new X-Ray trace id: the start time in seconds, then 96 random bits. */
export function newTraceId(nowMs: number = Date.now()): string {
  const seconds = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0')
  return `1-${seconds}-${randomBytes(12).toString('hex')}`
}

export function newSegmentId(): string {
  const id = randomBytes(8).toString('hex')
  return id === ZERO_SEGMENT_ID ? newSegmentId() : id
}
