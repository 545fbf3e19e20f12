import { createHash } from 'node:crypto'
import type { MskRecord } from '../msk/event.js'
import { DEAD_LETTER_HEADERS } from '../processor/dead-letter.js'

/** Counts how often a record was redriven; it stays on the record if it is dead-lettered again. */
export const REDRIVES_HEADER = 'dlq.redrives'

export interface DeadLetter {
  readonly key: Buffer | null
  readonly value: Buffer | null
  /** In the order they are on the record; a name may repeat. */
  readonly headers: readonly { readonly key: string; readonly value: Buffer }[]
}

export interface RedriveFilter {
  /** Only these reasons (`dlq.reason`); all when empty. */
  readonly reasons?: readonly string[]
  /** Only records dead-lettered at or after this time (`dlq.dead-lettered-at`). */
  readonly since?: Date
  /** Only records dead-lettered before this time. */
  readonly until?: Date
  /** Also records that were redriven before and dead-lettered again. */
  readonly force?: boolean
}

/** Where a dead letter cut to fit its topic was read from: the whole record is there, for its retention. */
export interface SourceCoordinates {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  /** The SHA-256 of the whole value, as the dead letter recorded it; absent when the value was not cut. */
  readonly valueSha256?: string
}

export type RedriveDecision =
  | {
      readonly redrive: true
      readonly record: MskRecord
      readonly reason: string
      /**
       * The dead letter was cut to fit its topic (`dlq.truncated`): `record` is not the original, which
       * must be read back from here and put in its place (originalOf) before it is redriven.
       */
      readonly fetch?: SourceCoordinates
    }
  | {
      readonly redrive: false
      readonly skipped: 'filtered' | 'redriven-before' | 'not-a-dead-letter'
      readonly reason: string
    }

const DEAD_LETTER_NAMES = new Set<string>(Object.values(DEAD_LETTER_HEADERS))

function header(letter: DeadLetter, name: string): string | undefined {
  return letter.headers.find((h) => h.key === name)?.value.toString()
}

function redrivesHeader(count: number): Record<string, number[]> {
  return { [REDRIVES_HEADER]: javaBytes(Buffer.from(String(count))) }
}

function javaBytes(value: Buffer): number[] {
  return [...value].map((byte) => (byte > 127 ? byte - 256 : byte))
}

/**
 * Whether a dead letter goes back through the processor, and as which source record: its original key,
 * value and headers byte for byte, at its original coordinates, with `dlq.redrives` counting this redrive;
 * the headers the dead-lettering added are dropped (they are added anew if it is dead-lettered again).
 */
export function redriveDecision(letter: DeadLetter, filter: RedriveFilter): RedriveDecision {
  const reason = header(letter, DEAD_LETTER_HEADERS.reason)
  const topic = header(letter, DEAD_LETTER_HEADERS.topic)
  const partition = Number(header(letter, DEAD_LETTER_HEADERS.partition))
  const offset = Number(header(letter, DEAD_LETTER_HEADERS.offset))
  if (
    reason === undefined ||
    topic === undefined ||
    !Number.isInteger(partition) ||
    !Number.isInteger(offset)
  ) {
    return { redrive: false, skipped: 'not-a-dead-letter', reason: reason ?? 'unknown' }
  }
  const at = Date.parse(header(letter, DEAD_LETTER_HEADERS.deadLetteredAt) ?? '')
  const matches =
    (filter.reasons === undefined || filter.reasons.length === 0 || filter.reasons.includes(reason)) &&
    (filter.since === undefined || at >= filter.since.getTime()) &&
    (filter.until === undefined || at < filter.until.getTime())
  if (!matches) return { redrive: false, skipped: 'filtered', reason }
  const redrives = Number(header(letter, REDRIVES_HEADER) ?? 0)
  if (redrives > 0 && !filter.force) return { redrive: false, skipped: 'redriven-before', reason }
  const headers = letter.headers
    .filter((h) => !DEAD_LETTER_NAMES.has(h.key) && h.key !== REDRIVES_HEADER)
    .map((h) => ({ [h.key]: javaBytes(h.value) }))
  headers.push(redrivesHeader(redrives + 1))
  const timestamp = Number(header(letter, DEAD_LETTER_HEADERS.timestamp))
  const valueSha256 = header(letter, DEAD_LETTER_HEADERS.valueSha256)
  return {
    redrive: true,
    reason,
    ...(header(letter, DEAD_LETTER_HEADERS.truncated) === undefined
      ? {}
      : { fetch: { topic, partition, offset, ...(valueSha256 === undefined ? {} : { valueSha256 }) } }),
    record: {
      topic,
      partition,
      offset,
      timestamp: Number.isFinite(timestamp) ? timestamp : Date.now(),
      timestampType: 'CREATE_TIME',
      ...(letter.key === null ? {} : { key: letter.key.toString('base64') }),
      ...(letter.value === null ? {} : { value: letter.value.toString('base64') }),
      headers,
    },
  }
}

/**
 * The record to redrive in place of a dead letter that was cut to fit its topic: the original, read back
 * from the source topic at the dead letter's coordinates, with the dead letter's redrive count; undefined
 * when what is there is not that record (its value's SHA-256 differs: the topic no longer holds it).
 */
export function originalOf(
  cut: MskRecord,
  fetched: MskRecord,
  expected: SourceCoordinates,
): MskRecord | undefined {
  const value =
    fetched.value === undefined || fetched.value === null ? null : Buffer.from(fetched.value, 'base64')
  if (expected.valueSha256 !== undefined) {
    if (value === null || createHash('sha256').update(value).digest('hex') !== expected.valueSha256)
      return undefined
  }
  const redrives = cut.headers?.find((h) => h[REDRIVES_HEADER] !== undefined)
  const headers = (fetched.headers ?? []).filter((h) => h[REDRIVES_HEADER] === undefined)
  return { ...fetched, headers: redrives === undefined ? headers : [...headers, redrives] }
}
