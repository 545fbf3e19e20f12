import type { OutgoingMessage } from './sink.js'

/**
 * Kafka's `max.message.bytes` (topic) and `message.max.bytes` (broker) bound a whole record batch: the
 * batch header, then each record with its own framing (Kafka's "Record Batch" format, v2). These are the
 * most that framing takes, so a size computed with them is never below what the broker counts.
 */
export const BATCH_OVERHEAD_BYTES = 61
/** Length, attributes, timestamp and offset deltas, key and value lengths, header count (varints at most). */
export const RECORD_OVERHEAD_BYTES = 5 + 1 + 10 + 5 + 5 + 5 + 5
/** A header's key and value lengths. */
export const HEADER_OVERHEAD_BYTES = 5 + 5

/** Kafka's default `message.max.bytes` and `max.message.bytes` (1 MiB and 12 bytes), on MSK too. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588

export function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length
}

/** The most bytes a message takes as a record in a batch, its framing included. */
export function recordBytes(message: OutgoingMessage): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(message.key) + byteLength(message.value)
  for (const header of message.headers ?? []) {
    bytes += HEADER_OVERHEAD_BYTES + Buffer.byteLength(header.key) + byteLength(header.value)
  }
  return bytes
}

/** Whether a message fits, alone in its batch, a topic that takes batches of up to `maxMessageBytes`. */
export function fitsAlone(message: OutgoingMessage, maxMessageBytes: number): boolean {
  return BATCH_OVERHEAD_BYTES + recordBytes(message) <= maxMessageBytes
}

/** A string's UTF-8 bytes are at most 3 per UTF-16 unit. */
const boundOf = (value: Buffer | string | null | undefined) =>
  value === null || value === undefined ? 0 : typeof value === 'string' ? 3 * value.length : value.length

/**
 * Whether a message surely fits alone in a batch of `maxMessageBytes`, from its lengths alone (no UTF-8
 * counting): false means "count it" (fitsAlone), not "it does not fit".
 */
export function fitsWithin(message: OutgoingMessage, maxMessageBytes: number): boolean {
  let bound = BATCH_OVERHEAD_BYTES + RECORD_OVERHEAD_BYTES + boundOf(message.key) + boundOf(message.value)
  for (const header of message.headers ?? [])
    bound += HEADER_OVERHEAD_BYTES + 3 * header.key.length + boundOf(header.value)
  return bound <= maxMessageBytes
}
