import { fitsAlone, KAFKA_DEFAULT_MAX_MESSAGE_BYTES, recordBytes } from '../kafka/record-size.js'
import type { OutgoingHeader, OutgoingMessage } from '../kafka/sink.js'
import { decodeAsciiBase64, decodeBase64, type MskRecord } from '../msk/event.js'
import {
  decodeStock,
  decodeStockText,
  encodeKey,
  encodeSinkValue,
  type Rejection,
  type RejectionReason,
  type ValidationMode,
} from '../stocks/codec.js'
import { carriedTraceHeaders } from '../tracing/record-headers.js'
import { deadLetterMessage } from './dead-letter.js'

/** Headers on every sink record: where it came from, so a consumer can drop the duplicates of a retry. */
export const SOURCE_HEADERS = {
  topic: 'source.topic',
  partition: 'source.partition',
  offset: 'source.offset',
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
 * A sink record is at most about 13 times its source value and carried headers (a ticker of control
 * characters is escaped six-fold, in the key and the value): only a source record over this share of the
 * limit is measured against it, which keeps the measuring off the hot path.
 */
const MEASURE_ABOVE_SHARE = 16

function carriedBytes(headers: readonly OutgoingHeader[]): number {
  let bytes = 0
  for (const header of headers) bytes += header.key.length + header.value.length
  return bytes
}

/** A sink message the topics would refuse, if any: `flink` writes any ticker, however long. */
function tooLarge(
  messages: readonly OutgoingMessage[],
  record: MskRecord,
  maxMessageBytes: number,
): OutgoingMessage | undefined {
  const sourceBytes = (record.value?.length ?? 0) + carriedBytes(messages[0]?.headers ?? [])
  if (sourceBytes * MEASURE_ABOVE_SHARE <= maxMessageBytes) return undefined
  return messages.find((message) => !fitsAlone(message, maxMessageBytes))
}

/**
 * The per-record step, free of I/O: a record the mode accepts becomes its sink message, re-keyed by
 * ticker, byte for byte as the Flink job wrote it; anything else becomes a dead-letter message that keeps
 * the original key, value and headers untouched (cut to fit the dead-letter topic only when they would not)
 * and says why. No record becomes a message over `maxMessageBytes`, the topics' limit.
 */
export function transformRecord(
  record: MskRecord,
  deadLetteredAt: number,
  mode: ValidationMode = 'strict',
  maxMessageBytes: number = KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
): RecordOutcome {
  // Plain ASCII values (nearly all JSON) skip the Buffer; the bytes are decoded only when needed.
  const text = typeof record.value === 'string' ? decodeAsciiBase64(record.value) : undefined
  const decoded =
    text === undefined ? decodeStock(decodeBase64(record.value), mode) : decodeStockText(text, mode)
  const rejection = decoded.ok ? undefined : decoded
  if (decoded.ok) {
    const headers = sourceHeaders(record)
    const messages = decoded.rows.map((row) => ({
      key: encodeKey(row.ticker),
      value: encodeSinkValue(row),
      headers,
    }))
    const oversized = tooLarge(messages, record, maxMessageBytes)
    if (oversized === undefined) return { kind: 'sink', messages }
    return deadLetter(record, deadLetteredAt, maxMessageBytes, {
      reason: 'RECORD_TOO_LARGE',
      detail: `its sink record would be ${recordBytes(oversized)} bytes; the topics take up to ${maxMessageBytes}`,
    })
  }
  return deadLetter(record, deadLetteredAt, maxMessageBytes, rejection as Rejection)
}

function deadLetter(
  record: MskRecord,
  deadLetteredAt: number,
  maxMessageBytes: number,
  rejection: Rejection,
): RecordOutcome {
  return {
    kind: 'dead-letter',
    reason: rejection.reason,
    detail: rejection.detail,
    message: deadLetterMessage(record, rejection, deadLetteredAt, maxMessageBytes),
  }
}
