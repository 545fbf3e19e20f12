import type { MSKEvent, MSKRecord, MSKRecordHeader } from 'aws-lambda'
import { InvalidEventError } from '../errors.js'

/**
 * The event Lambda's MSK event source mapping sends, as @types/aws-lambda describes it, with what those
 * types leave out: a self-managed Kafka source, a record without a key, a tombstone without a value
 * ("Using Lambda with Amazon MSK", the event shown there), and headers as arrays of (Java, so possibly
 * negative) byte numbers.
 */
export type MskEvent = Omit<MSKEvent, 'eventSource' | 'eventSourceArn' | 'bootstrapServers' | 'records'> & {
  readonly eventSource: MSKEvent['eventSource'] | 'SelfManagedKafka'
  readonly eventSourceArn?: string
  readonly bootstrapServers?: string
  readonly records: Readonly<Record<string, readonly MskRecord[]>>
}

export type MskRecord = Readonly<Omit<MSKRecord, 'key' | 'value' | 'headers'>> & {
  readonly key?: string | null
  readonly value?: string | null
  readonly headers?: readonly Readonly<MSKRecordHeader>[]
}

export interface RecordHeader {
  readonly key: string
  readonly value: Buffer
}

function fail(detail: string): never {
  throw new InvalidEventError(`Not an MSK event: ${detail}`)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The topic and partition a `topic-partition` group names; a partition not written as Kafka writes it is NaN. */
function groupParts(group: string): { readonly topic: string; readonly partition: number } {
  const dash = group.lastIndexOf('-')
  const partitionText = group.slice(dash + 1)
  const partition = dash < 0 ? Number.NaN : Number(partitionText)
  return {
    topic: group.slice(0, dash),
    partition: String(partition) === partitionText ? partition : Number.NaN,
  }
}

/** What is wrong with one record, if anything; nothing is allocated for a good record. */
function recordProblem(
  record: unknown,
  expected: { readonly topic: string; readonly partition: number },
  group: string,
): string | undefined {
  if (!isObject(record)) return 'is not an object'
  if (typeof record.topic !== 'string') return '.topic is not a string'
  if (!Number.isInteger(record.partition)) return '.partition is not an integer'
  if (!Number.isInteger(record.offset)) return '.offset is not an integer'
  if (record.topic !== expected.topic || record.partition !== expected.partition)
    return `does not belong to group "${group}"`
  for (const field of ['key', 'value'] as const) {
    const encoded = record[field]
    if (encoded !== undefined && encoded !== null && typeof encoded !== 'string')
      return `.${field} is not a base64 string`
  }
  if (record.headers !== undefined && !Array.isArray(record.headers)) return '.headers is not an array'
  return undefined
}

/**
 * Checks that an event has the MSK shape before any record is processed, so that a misrouted or
 * hand-written event fails the invocation with a clear message instead of half-processing.
 */
export function assertMskEvent(event: unknown): asserts event is MskEvent {
  if (!isObject(event)) fail('the event is not an object')
  if (event.eventSource !== 'aws:kafka' && event.eventSource !== 'SelfManagedKafka') {
    fail(`eventSource is ${JSON.stringify(event.eventSource)}, expected "aws:kafka"`)
  }
  if (!isObject(event.records)) fail('records is missing or not an object')
  for (const [group, records] of Object.entries(event.records)) {
    if (!Array.isArray(records)) fail(`records["${group}"] is not an array`)
    const expected = groupParts(group)
    for (let index = 0; index < records.length; index++) {
      const problem = recordProblem(records[index], expected, group)
      if (problem !== undefined)
        fail(`records["${group}"][${index}]${problem.startsWith('.') ? '' : ' '}${problem}`)
    }
  }
}

export function decodeBase64(encoded: string | null | undefined): Buffer | null {
  return encoded === undefined || encoded === null ? null : Buffer.from(encoded, 'base64')
}

const NOT_ASCII = /[\u0080-\u00ff]/

/**
 * A value's text when its bytes are plain ASCII, the usual case for JSON: decoded from base64 straight to
 * a string, about twice as fast as through a Buffer. Undefined for anything else (other bytes, or base64
 * that atob's stricter reading refuses), which the caller then decodes as bytes; for ASCII bytes both
 * ways give the same text.
 */
export function decodeAsciiBase64(encoded: string): string | undefined {
  let text: string
  try {
    text = atob(encoded)
  } catch {
    return undefined
  }
  return NOT_ASCII.test(text) ? undefined : text
}

/** Header values arrive as Java bytes (-128..127); Buffer.from keeps the low 8 bits, which restores them. */
export function decodeHeaders(record: MskRecord): RecordHeader[] {
  const headers: RecordHeader[] = []
  for (const header of record.headers ?? []) {
    for (const [key, bytes] of Object.entries(header)) headers.push({ key, value: Buffer.from(bytes) })
  }
  return headers
}

/** Records grouped by `topic-partition`, as an MSK event holds them, each group in the order given. */
export function groupByPartition(records: readonly MskRecord[]): Record<string, MskRecord[]> {
  const grouped: Record<string, MskRecord[]> = {}
  for (const record of records) {
    const id = `${record.topic}-${record.partition}`
    const group = grouped[id] ?? []
    group.push(record)
    grouped[id] = group
  }
  return grouped
}
