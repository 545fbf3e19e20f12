import { fitsAlone, fitsWithin, recordBytes } from '../kafka/record-size.js'
import type { OutgoingHeader, OutgoingMessage } from '../kafka/sink.js'
import type { TraceHeaders } from '../kafka/trace-headers.js'
import { decodeAsciiBase64, decodeBase64, type MskRecord } from '../msk/event.js'
import type { ReadResult, StockFormat, ValidationMode, Written } from '../stocks/format.js'
import type { Rejection, RejectionReason } from '../stocks/reasons.js'
import { type Stock, transformStock } from '../stocks/stock.js'
import { deadLetterMessage } from './dead-letter.js'
import { carriedTraceHeaders } from './trace-headers.js'

/** Headers on every sink record: where it came from, so a consumer can drop the duplicates of a retry. */
export const SOURCE_HEADERS = {
  topic: 'source.topic',
  partition: 'source.partition',
  offset: 'source.offset',
} as const

export type RecordOutcome =
  /** One sink record per stock; a value holds several only when it is a JSON array (`flink` mode). */
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
function sourceHeaders(record: MskRecord, trace: TraceHeaders): OutgoingHeader[] {
  if (sourceOf.partitionNumber !== record.partition || sourceOf.topic.value !== record.topic) {
    sourceOf = {
      topic: { key: SOURCE_HEADERS.topic, value: record.topic },
      partition: { key: SOURCE_HEADERS.partition, value: String(record.partition) },
      partitionNumber: record.partition,
    }
  }
  const offset = { key: SOURCE_HEADERS.offset, value: String(record.offset) }
  // Literals of the exact length (an array grown by push keeps spare room, for every sink record); one trace
  // header, `traceparent`, is what a traced producer of this project sends.
  if (trace.length === 0) return [sourceOf.topic, sourceOf.partition, offset]
  if (trace.length === 1) return [sourceOf.topic, sourceOf.partition, offset, trace[0] as OutgoingHeader]
  return [sourceOf.topic, sourceOf.partition, offset, ...trace]
}

/**
 * A sink message the topics would refuse, if any: a format may write a record of any size (`flink` writes
 * any ticker, however long). Each message's size is bounded from its lengths alone first (a UTF-16 unit is
 * at most 3 bytes of UTF-8), which keeps the exact count off the hot path for every ordinary record.
 */
function tooLarge(
  messages: readonly OutgoingMessage[],
  maxMessageBytes: number,
): OutgoingMessage | undefined {
  for (const message of messages) {
    if (!fitsWithin(message, maxMessageBytes) && !fitsAlone(message, maxMessageBytes)) return message
  }
  return undefined
}

/** How the processor reads and writes records: the sink format, its validation, the topics' limit. */
export interface TransformOptions {
  readonly format: StockFormat
  readonly validation: ValidationMode
  /** The topics' `max.message.bytes`: no record becomes a message larger. */
  readonly maxMessageBytes: number
  /** When the records are dead-lettered, epoch milliseconds. */
  readonly deadLetteredAt: number
}

/** What a record becomes on the sink: the format's stocks through the rules, or what the format wrote as read. */
function sinkRecords(read: ReadResult & { ok: true }, format: StockFormat): readonly Written[] | Rejection {
  if ('written' in read) return read.written
  const { stocks } = read
  // One stock per value, but for `flink`'s arrays: no array grown for it (every sink record is kept until
  // the send, so what each one allocates weighs twice).
  if (stocks.length === 1) {
    const outcome = transformStock(stocks[0] as Stock)
    return outcome.kind === 'dead-letter' ? outcome : [format.write(outcome.stock)]
  }
  const written: Written[] = []
  for (const stock of stocks) {
    const outcome = transformStock(stock)
    if (outcome.kind === 'dead-letter') return outcome
    written.push(format.write(outcome.stock))
  }
  return written
}

/**
 * The per-record step, free of I/O: the sink format reads the record's value, the rules (lib/stocks/stock.ts)
 * decide, and each stock becomes a sink message re-keyed by ticker, in the format; anything else becomes a
 * dead-letter message that keeps the original key, value and headers untouched (cut to fit the dead-letter
 * topic only when they would not) and says why. No record becomes a message over `maxMessageBytes`.
 */
export function transformRecord(
  record: MskRecord,
  options: TransformOptions,
  /** The trace headers the record carries (carriedTraceHeaders), when the caller has them already. */
  trace: TraceHeaders = carriedTraceHeaders(record),
): RecordOutcome {
  // Plain ASCII values (nearly all JSON) skip the Buffer; the bytes are decoded only when needed.
  const text = typeof record.value === 'string' ? decodeAsciiBase64(record.value) : undefined
  const read = options.format.read(text ?? decodeBase64(record.value), options.validation)
  const written = read.ok ? sinkRecords(read, options.format) : read
  if ('reason' in written) return deadLetter(record, options, written)
  const headers = sourceHeaders(record, trace)
  const messages: OutgoingMessage[] =
    written.length === 1
      ? [{ key: (written[0] as Written).key, value: (written[0] as Written).value, headers }]
      : written.map(({ key, value }) => ({ key, value, headers }))
  const oversized = tooLarge(messages, options.maxMessageBytes)
  if (oversized === undefined) return { kind: 'sink', messages }
  return deadLetter(record, options, {
    reason: 'RECORD_TOO_LARGE',
    detail: `its sink record would be ${recordBytes(oversized)} bytes; the topics take up to ${options.maxMessageBytes}`,
  })
}

function deadLetter(record: MskRecord, options: TransformOptions, rejection: Rejection): RecordOutcome {
  return {
    kind: 'dead-letter',
    reason: rejection.reason,
    detail: rejection.detail,
    message: deadLetterMessage(record, rejection, options.deadLetteredAt, options.maxMessageBytes),
  }
}
