import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeAsciiBase64, type MskRecord } from '../../lib/msk/event.js'
import { processMskEvent } from '../../lib/processor/process-event.js'
import { transformRecord } from '../../lib/processor/transform.js'
import {
  decodeStock,
  decodeStockText,
  encodeSinkValue,
  encodeStock,
  type RejectionReason,
} from '../../lib/stocks/codec.js'
import { formatFlinkTimestamp, formatProducerEventTime, parseEventTime } from '../../lib/stocks/event-time.js'
import { MemorySink } from '../support/memory-sink.js'

const REASONS: readonly RejectionReason[] = [
  'TOMBSTONE',
  'VALUE_TOO_LARGE',
  'INVALID_UTF8',
  'INVALID_JSON',
  'NOT_AN_OBJECT',
  'MISSING_FIELD',
  'INVALID_FIELD_TYPE',
  'INVALID_TICKER',
  'INVALID_PRICE',
  'INVALID_EVENT_TIME',
]

/** Instants with 4-digit years, the range the formats can write. */
const instant = fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) })
const ticker = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 6 })
  .filter((t) => t.length >= 1 && t.length <= 6)
const price = fc.double({ min: 0, max: Number.MAX_VALUE, noNaN: true, noDefaultInfinity: true })

/** Values a producer could send, valid or not: any bytes, any JSON, stock-shaped objects with wrong types. */
const anyValue = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
  fc
    .record(
      { event_time: fc.oneof(fc.string(), fc.jsonValue()), ticker: fc.jsonValue(), price: fc.jsonValue() },
      { requiredKeys: [] },
    )
    .map((value) => Buffer.from(JSON.stringify(value))),
  fc.constant(null),
)

function record(value: Buffer | null, offset = 0): MskRecord {
  return {
    topic: 'stocks-in',
    partition: 0,
    offset,
    timestamp: 0,
    timestampType: 'CREATE_TIME',
    ...(value === null ? {} : { value: value.toString('base64') }),
  }
}

describe('properties', () => {
  it('decodeStock never throws: every value is a stock or a known rejection', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const decoded = decodeStock(value)
        if (!decoded.ok) expect(REASONS).toContain(decoded.reason)
      }),
      { numRuns: 2_000 },
    )
  })

  it('every record of an event ends up in the sink or the dead-letter topic, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyValue, { maxLength: 40 }), async (values) => {
        const sink = new MemorySink()
        const event = {
          eventSource: 'aws:kafka',
          records: { 'stocks-in-0': values.map((v, i) => record(v, i)) },
        }
        const summary = await processMskEvent(event, { sink, sinkTopic: 'out', deadLetterTopic: 'dlq' })
        expect(summary.written + summary.deadLettered).toBe(values.length)
        const offsets = [...sink.messagesFor('out'), ...sink.messagesFor('dlq')]
          .map((m) => Number(m.headers?.find((h) => h.key.endsWith('source.offset'))?.value))
          .sort((a, b) => a - b)
        expect(offsets).toEqual(values.map((_, i) => i))
      }),
      { numRuns: 300 },
    )
  })

  it('the ASCII fast path decides exactly as decoding the bytes does, and declines only other bytes', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        if (value === null) return
        const text = decodeAsciiBase64(value.toString('base64'))
        if (text === undefined) expect(value.some((byte) => byte >= 0x80)).toBe(true)
        else expect(decodeStockText(text)).toEqual(decodeStock(value))
      }),
      { numRuns: 2_000 },
    )
  })

  it('reads base64 that the fast path refuses (URL-safe alphabet, stray characters) as Buffer.from does', () => {
    const value = Buffer.from('{"event_time":"2026-11-24 10:11:12.345000","ticker":"???","price":1.5}')
    expect(value.toString('base64url')).toMatch(/[-_]/)
    for (const encoded of [value.toString('base64url'), `${value.toString('base64')}!`]) {
      expect(decodeAsciiBase64(encoded)).toBeUndefined()
      const outcome = transformRecord({ ...record(null), value: encoded }, 0)
      expect(outcome.kind).toBe('sink')
    }
  })

  it('a dead-lettered record keeps its value byte for byte', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const outcome = transformRecord(record(value), 0)
        if (outcome.kind === 'dead-letter') expect(outcome.message.value).toEqual(value)
      }),
      { numRuns: 1_000 },
    )
  })

  it('every valid record round-trips exactly: same ticker and price, event time cut to milliseconds', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 999 }),
        ticker,
        price,
        fc.boolean(),
        (ms, micros, t, p, iso) => {
          const producerTime = formatProducerEventTime(ms).slice(0, -3) + String(micros).padStart(3, '0')
          const event_time = iso ? producerTime.replace(' ', 'T') : producerTime
          const value = Buffer.from(encodeStock({ event_time, ticker: t, price: p }))
          const decoded = decodeStock(value)
          if (!decoded.ok) throw new Error(`${decoded.reason}: ${decoded.detail}`)
          // Byte for byte what the Flink job's JSON format writes, which is JSON.stringify's output.
          expect(encodeSinkValue(decoded.stock)).toBe(
            JSON.stringify({ event_time: formatFlinkTimestamp(ms), ticker: t, price: p }),
          )
        },
      ),
      { numRuns: 2_000 },
    )
  })

  it('parsing a formatted event time gives back the same instant', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        expect(parseEventTime(formatProducerEventTime(ms))).toBe(ms)
        expect(parseEventTime(formatFlinkTimestamp(ms))).toBe(ms)
        expect(parseEventTime(new Date(ms).toISOString())).toBe(ms)
      }),
      { numRuns: 2_000 },
    )
  })
})
