import type { OutgoingHeader, OutgoingMessage } from '../kafka/sink.js'
import { decodeAsciiBase64, decodeBase64, decodeHeaders, type MskRecord } from '../msk/event.js'
import {
  decodeStock,
  decodeStockText,
  encodeKey,
  encodeSinkValue,
  type RejectionReason,
  type ValidationMode,
} from '../stocks/codec.js'
import { carriedTraceHeaders } from '../tracing/record-headers.js'

/** Headers on every sink record: where it came from, so a consumer can drop the duplicates of a retry. */
export const SOURCE_HEADERS = {
  topic: 'source.topic',
  partition: 'source.partition',
  offset: 'source.offset',
} as const

/** Headers added to a dead-lettered record, next to its original headers. */
export const DEAD_LETTER_HEADERS = {
  reason: 'dlq.reason',
  detail: 'dlq.detail',
  topic: 'dlq.source.topic',
  partition: 'dlq.source.partition',
  offset: 'dlq.source.offset',
  timestamp: 'dlq.source.timestamp',
  deadLetteredAt: 'dlq.dead-lettered-at',
} as const

export type RecordOutcome =
  /** One sink record per row; a value holds several only when it is a JSON array (`flink` mode). */
  | { readonly kind: 'sink'; readonly messages: readonly OutgoingMessage[] }
  | {
      readonly kind: 'dead-letter'
      readonly message: OutgoingMessage
      readonly reason: RejectionReason
      readonly detail: string
    }

/**
 * The source topic and partition headers of the last record seen: the records of an event come grouped by
 * partition, so their sink records share these two (read-only, like every OutgoingHeader). Every sink
 * record of an event is kept until the send, so what each one allocates weighs twice.
 */
let sourceOf: {
  readonly topic: OutgoingHeader
  readonly partition: OutgoingHeader
  readonly partitionNumber: number
} = {
  topic: { key: SOURCE_HEADERS.topic, value: '' },
  partition: { key: SOURCE_HEADERS.partition, value: '-1' },
  partitionNumber: -1,
}

/** Where the record came from, and the trace context it carried, so the sink's readers join its trace. */
function sourceHeaders(record: MskRecord): OutgoingHeader[] {
  if (sourceOf.partitionNumber !== record.partition || sourceOf.topic.value !== record.topic) {
    sourceOf = {
      topic: { key: SOURCE_HEADERS.topic, value: record.topic },
      partition: { key: SOURCE_HEADERS.partition, value: String(record.partition) },
      partitionNumber: record.partition,
    }
  }
  const offset = { key: SOURCE_HEADERS.offset, value: String(record.offset) }
  const trace = carriedTraceHeaders(record)
  // Literals of the exact length (an array grown by push keeps spare room, for every sink record); two trace
  // headers, `traceparent` and `X-Amzn-Trace-Id`, is what a traced producer of this project sends.
  if (trace.length === 0) return [sourceOf.topic, sourceOf.partition, offset]
  if (trace.length === 2)
    return [
      sourceOf.topic,
      sourceOf.partition,
      offset,
      trace[0] as OutgoingHeader,
      trace[1] as OutgoingHeader,
    ]
  return [sourceOf.topic, sourceOf.partition, offset, ...trace]
}

/**
 * The per-record step, free of I/O: a record the mode accepts becomes its sink message, re-keyed by
 * ticker, byte for byte as the Flink job wrote it; anything else becomes a dead-letter message that keeps the original key, value and
 * headers untouched and says why.
 */
export function transformRecord(
  record: MskRecord,
  deadLetteredAt: number,
  mode: ValidationMode = 'strict',
): RecordOutcome {
  // Plain ASCII values (nearly all JSON) skip the Buffer; the bytes are decoded only when needed.
  const text = typeof record.value === 'string' ? decodeAsciiBase64(record.value) : undefined
  const decoded =
    text === undefined ? decodeStock(decodeBase64(record.value), mode) : decodeStockText(text, mode)
  if (decoded.ok) {
    const headers = sourceHeaders(record)
    return {
      kind: 'sink',
      messages: decoded.rows.map((row) => ({
        key: encodeKey(row.ticker),
        value: encodeSinkValue(row),
        headers,
      })),
    }
  }
  return {
    kind: 'dead-letter',
    reason: decoded.reason,
    detail: decoded.detail,
    message: {
      key: decodeBase64(record.key),
      value: decodeBase64(record.value),
      headers: [
        ...decodeHeaders(record),
        { key: DEAD_LETTER_HEADERS.reason, value: decoded.reason },
        { key: DEAD_LETTER_HEADERS.detail, value: decoded.detail },
        { key: DEAD_LETTER_HEADERS.topic, value: record.topic },
        { key: DEAD_LETTER_HEADERS.partition, value: String(record.partition) },
        { key: DEAD_LETTER_HEADERS.offset, value: String(record.offset) },
        { key: DEAD_LETTER_HEADERS.timestamp, value: String(record.timestamp) },
        { key: DEAD_LETTER_HEADERS.deadLetteredAt, value: new Date(deadLetteredAt).toISOString() },
      ],
    },
  }
}
