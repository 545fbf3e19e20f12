import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeAsciiBase64, type MskRecord } from '../../lib/msk/event.js'
import { processMskEvent } from '../../lib/processor/process-event.js'
import { transformRecord } from '../../lib/processor/transform.js'
import { formatProducerEventTime } from '../../lib/stocks/event-time.js'
import { REJECTION_REASONS } from '../../lib/stocks/reasons.js'
import { stockJson } from '../../lib/stocks/stock.js'
import { format, transformOptions } from '../support/format.js'
import { MemorySink } from '../support/memory-sink.js'

const options = transformOptions()

/** Instants in microseconds, within the years a double holds them exactly (2^53 µs is about 285 years). */
const instant = fc.integer({
  min: Date.UTC(1700, 0, 1) * 1000,
  max: Date.UTC(2200, 11, 31, 23, 59, 59, 999) * 1000 + 999,
})
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
  it('the sink format never throws: every value is stocks or a known rejection', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const read = format.read(value, 'strict')
        if (!read.ok) expect(REJECTION_REASONS).toContain(read.reason)
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
        const summary = await processMskEvent(event, {
          sink,
          sinkTopic: 'out',
          deadLetterTopic: 'dlq',
          format,
        })
        expect(summary.written + summary.deadLettered).toBe(values.length)
        const offsets = [...sink.messagesFor('out'), ...sink.messagesFor('dlq')]
          .map((m) => Number(m.headers?.find((h) => h.key.endsWith('source.offset'))?.value))
          .sort((a, b) => a - b)
        expect(offsets).toEqual(values.map((_, i) => i))
      }),
      { numRuns: 300 },
    )
  })

  it('the ASCII fast path decides exactly as reading the bytes does, and declines only other bytes', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        if (value === null) return
        const text = decodeAsciiBase64(value.toString('base64'))
        if (text === undefined) expect(value.some((byte) => byte >= 0x80)).toBe(true)
        else expect(format.read(text, 'strict')).toEqual(format.read(value, 'strict'))
      }),
      { numRuns: 2_000 },
    )
  })

  it('reads base64 that the fast path refuses (URL-safe alphabet, stray characters) as Buffer.from does', () => {
    const value = Buffer.from('{"event_time":"2026-11-24 10:11:12.345000","ticker":"???","price":1.5}')
    expect(value.toString('base64url')).toMatch(/[-_]/)
    for (const encoded of [value.toString('base64url'), `${value.toString('base64')}!`]) {
      expect(decodeAsciiBase64(encoded)).toBeUndefined()
      const outcome = transformRecord({ ...record(null), value: encoded }, options)
      expect(outcome.kind).toBe('sink')
    }
  })

  it('a dead-lettered record keeps its value byte for byte', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const outcome = transformRecord(record(value), options)
        if (outcome.kind === 'dead-letter') expect(outcome.message.value).toEqual(value)
      }),
      { numRuns: 1_000 },
    )
  })

  it('every record the producer could send is written as the sink format writes its stock', () => {
    fc.assert(
      fc.property(instant, ticker, price, (micros, t, p) => {
        const stock = { event_time: formatProducerEventTime(micros), ticker: t, price: p }
        const outcome = transformRecord(record(Buffer.from(stockJson(stock))), options)
        if (outcome.kind !== 'sink') throw new Error(`${outcome.reason}: ${outcome.detail}`)
        const { key, value } = format.write(stock)
        expect(outcome.messages.map((m) => [m.key, m.value])).toEqual([[key, value]])
      }),
      { numRuns: 2_000 },
    )
  })
})
