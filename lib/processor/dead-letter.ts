import { createHash } from 'node:crypto'
import { BATCH_OVERHEAD_BYTES, fitsAlone, recordBytes } from '../kafka/record-size.js'
import type { OutgoingHeader, OutgoingMessage } from '../kafka/sink.js'
import { decodeBase64, decodeHeaders, type MskRecord } from '../msk/event.js'

/** Headers added to a dead-lettered record, next to its original headers. */
export const DEAD_LETTER_HEADERS = {
  reason: 'dlq.reason',
  detail: 'dlq.detail',
  topic: 'dlq.source.topic',
  partition: 'dlq.source.partition',
  offset: 'dlq.source.offset',
  timestamp: 'dlq.source.timestamp',
  deadLetteredAt: 'dlq.dead-lettered-at',
  /** What was cut to fit the dead-letter topic, in the order it was cut: `value`, `headers`, `key`. */
  truncated: 'dlq.truncated',
  valueBytes: 'dlq.original.value-bytes',
  valueSha256: 'dlq.original.value-sha256',
  keyBytes: 'dlq.original.key-bytes',
  keySha256: 'dlq.original.key-sha256',
  /** How many of the original headers were left out. */
  headersDropped: 'dlq.original.headers-dropped',
} as const

/** A reason's detail is for a person; this keeps the headers the dead letter always carries small. */
const MAX_DETAIL_CHARACTERS = 1_000

export interface Rejection {
  readonly reason: string
  readonly detail: string
}

type Part = 'value' | 'headers' | 'key'

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/** The headers that say what was cut, and what the cut parts were. */
function truncationHeaders(cut: readonly Part[], key: Buffer | null, value: Buffer | null, dropped: number) {
  const headers: OutgoingHeader[] = [{ key: DEAD_LETTER_HEADERS.truncated, value: cut.join(',') }]
  if (cut.includes('value') && value !== null) {
    headers.push(
      { key: DEAD_LETTER_HEADERS.valueBytes, value: String(value.length) },
      { key: DEAD_LETTER_HEADERS.valueSha256, value: sha256(value) },
    )
  }
  if (cut.includes('key') && key !== null) {
    headers.push(
      { key: DEAD_LETTER_HEADERS.keyBytes, value: String(key.length) },
      { key: DEAD_LETTER_HEADERS.keySha256, value: sha256(key) },
    )
  }
  if (cut.includes('headers'))
    headers.push({ key: DEAD_LETTER_HEADERS.headersDropped, value: String(dropped) })
  return headers
}

/** The bytes left for a value (and a key, when it is cut too) once everything else is counted. */
function roomFor(message: OutgoingMessage, maxMessageBytes: number): number {
  return maxMessageBytes - BATCH_OVERHEAD_BYTES - recordBytes(message)
}

/**
 * The dead letter as it fits the dead-letter topic: whole when it does; otherwise with its value cut
 * short, then also without the original headers, then with its key cut short too, until it fits. What was
 * cut is named, with its original size and SHA-256, next to the source coordinates: the whole record
 * stays on the source topic for its retention (docs/delivery.md says how to fetch it). A record of any size
 * becomes a dead letter the topic takes, so no record can block its partition.
 */
function fitted(
  key: Buffer | null,
  value: Buffer | null,
  original: readonly OutgoingHeader[],
  added: readonly OutgoingHeader[],
  maxMessageBytes: number,
): OutgoingMessage {
  const whole = { key, value, headers: [...original, ...added] }
  if (fitsAlone(whole, maxMessageBytes)) return whole
  const cut: Part[] = []
  const empty = value === null ? null : Buffer.alloc(0)
  for (const part of ['value', 'headers'] as const) {
    cut.push(part)
    const headers = [
      ...(cut.includes('headers') ? [] : original),
      ...added,
      ...truncationHeaders(cut, key, value, original.length),
    ]
    const room = roomFor({ key, value: empty, headers }, maxMessageBytes)
    if (room >= 0) return { key, value: value?.subarray(0, room) ?? null, headers }
  }
  cut.push('key')
  const headers = [...added, ...truncationHeaders(cut, key, value, original.length)]
  const room = Math.max(0, roomFor({ key: null, value: empty, headers }, maxMessageBytes))
  const keyBytes = Math.min(key?.length ?? 0, room)
  return {
    key: key?.subarray(0, keyBytes) ?? null,
    value: value?.subarray(0, room - keyBytes) ?? null,
    headers,
  }
}

/**
 * The record as a dead letter: its original key, value and headers untouched, and headers that say why
 * and where it came from; cut to fit a topic of `maxMessageBytes` when it would not.
 */
export function deadLetterMessage(
  record: MskRecord,
  rejection: Rejection,
  deadLetteredAt: number,
  maxMessageBytes: number,
): OutgoingMessage {
  const added: OutgoingHeader[] = [
    { key: DEAD_LETTER_HEADERS.reason, value: rejection.reason },
    { key: DEAD_LETTER_HEADERS.detail, value: rejection.detail.slice(0, MAX_DETAIL_CHARACTERS) },
    { key: DEAD_LETTER_HEADERS.topic, value: record.topic },
    { key: DEAD_LETTER_HEADERS.partition, value: String(record.partition) },
    { key: DEAD_LETTER_HEADERS.offset, value: String(record.offset) },
    { key: DEAD_LETTER_HEADERS.timestamp, value: String(record.timestamp) },
    { key: DEAD_LETTER_HEADERS.deadLetteredAt, value: new Date(deadLetteredAt).toISOString() },
  ]
  return fitted(
    decodeBase64(record.key),
    decodeBase64(record.value),
    decodeHeaders(record),
    added,
    maxMessageBytes,
  )
}
