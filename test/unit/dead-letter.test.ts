import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fitsAlone, KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from '../../lib/kafka/record-size.js'
import type { OutgoingMessage } from '../../lib/kafka/sink.js'
import type { MskRecord } from '../../lib/msk/event.js'
import { DEAD_LETTER_HEADERS, deadLetterMessage } from '../../lib/processor/dead-letter.js'
import { transformRecord } from '../../lib/processor/transform.js'
import type { StockFormat } from '../../lib/stocks/format.js'
import { jsonFormat } from '../../lib/stocks/json-format.js'

const AT = Date.parse('2026-12-07T09:00:00Z')
const LIMIT = KAFKA_DEFAULT_MAX_MESSAGE_BYTES
const rejection = { reason: 'INVALID_JSON', detail: 'the value is not JSON' }

function record(value: Buffer | null, options: { key?: Buffer; headers?: Record<string, Buffer>[] } = {}) {
  return {
    topic: 'stocks-in',
    partition: 1,
    offset: 4711,
    timestamp: 1_700_000_000_000,
    timestampType: 'CREATE_TIME',
    key: (options.key ?? Buffer.from('{"ticker":"AAPL"}')).toString('base64'),
    value: value?.toString('base64') ?? null,
    headers: (options.headers ?? []).map((header) =>
      Object.fromEntries(Object.entries(header).map(([k, v]) => [k, [...v]])),
    ),
  } satisfies MskRecord
}

const header = (message: OutgoingMessage, key: string) =>
  message.headers?.find((h) => h.key === key)?.value.toString()
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
const asBuffer = (value: OutgoingMessage['value']) => Buffer.from(value ?? '')

describe('deadLetterMessage', () => {
  it('keeps a record that fits untouched, with no truncation headers', () => {
    const value = Buffer.from('not json')
    const letter = deadLetterMessage(record(value), rejection, AT, LIMIT)
    expect(asBuffer(letter.value)).toEqual(value)
    expect(header(letter, DEAD_LETTER_HEADERS.truncated)).toBeUndefined()
    expect(header(letter, DEAD_LETTER_HEADERS.offset)).toBe('4711')
  })

  it('cuts a value near the topic limit to fit, saying its size and digest, original headers kept', () => {
    // What the topic took as a source record: 1,048,470 bytes leave no room for the dead letter's headers.
    const value = Buffer.alloc(1_048_470, 'x')
    const letter = deadLetterMessage(
      record(value, { headers: [{ trace: Buffer.from('t-1') }] }),
      rejection,
      AT,
      LIMIT,
    )

    expect(fitsAlone(letter, LIMIT)).toBe(true)
    const kept = asBuffer(letter.value)
    expect(kept.length).toBeGreaterThan(1_040_000)
    expect(kept.equals(value.subarray(0, kept.length))).toBe(true)
    expect(header(letter, DEAD_LETTER_HEADERS.truncated)).toBe('value')
    expect(header(letter, DEAD_LETTER_HEADERS.valueBytes)).toBe('1048470')
    expect(header(letter, DEAD_LETTER_HEADERS.valueSha256)).toBe(sha256(value))
    expect(header(letter, 'trace')).toBe('t-1')
    expect(
      [DEAD_LETTER_HEADERS.topic, DEAD_LETTER_HEADERS.partition, DEAD_LETTER_HEADERS.offset].map((h) =>
        header(letter, h),
      ),
    ).toEqual(['stocks-in', '1', '4711'])
  })

  it('leaves the original headers out when they alone would not fit, and says how many', () => {
    const headers = Array.from({ length: 3 }, (_, i) => ({ [`h${i}`]: Buffer.alloc(600_000, 'h') }))
    const letter = deadLetterMessage(record(Buffer.from('v'), { headers }), rejection, AT, LIMIT)
    expect(fitsAlone(letter, LIMIT)).toBe(true)
    expect(header(letter, DEAD_LETTER_HEADERS.truncated)).toBe('value,headers')
    expect(header(letter, DEAD_LETTER_HEADERS.headersDropped)).toBe('3')
    expect(header(letter, 'h0')).toBeUndefined()
    expect(asBuffer(letter.value).toString()).toBe('v')
  })

  it('cuts the key too when it alone would not fit, with its size and digest', () => {
    const key = Buffer.alloc(2_000_000, 'k')
    const letter = deadLetterMessage(record(Buffer.alloc(10, 'v'), { key }), rejection, AT, LIMIT)
    expect(fitsAlone(letter, LIMIT)).toBe(true)
    expect(header(letter, DEAD_LETTER_HEADERS.truncated)).toBe('value,headers,key')
    expect(header(letter, DEAD_LETTER_HEADERS.keyBytes)).toBe('2000000')
    expect(header(letter, DEAD_LETTER_HEADERS.keySha256)).toBe(sha256(key))
    const keptKey = Buffer.from(letter.key ?? '')
    expect(keptKey.equals(key.subarray(0, keptKey.length))).toBe(true)
  })

  it('keeps a tombstone a tombstone', () => {
    const letter = deadLetterMessage(record(null, { key: Buffer.alloc(2_000_000) }), rejection, AT, LIMIT)
    expect(letter.value).toBeNull()
    expect(fitsAlone(letter, LIMIT)).toBe(true)
  })

  it('fits any record into any allowed limit, keeping prefixes of what it cuts', () => {
    const bytes = (max: number) => fc.integer({ min: 0, max }).map((n) => Buffer.alloc(n, 'b'))
    fc.assert(
      fc.property(
        fc.integer({ min: 16_384, max: 2_000_000 }),
        bytes(3_000_000),
        bytes(3_000_000),
        fc.array(bytes(300_000), { maxLength: 3 }),
        (limit, key, value, headerValues) => {
          const headers = headerValues.map((v, i) => ({ [`h${i}`]: v }))
          const letter = deadLetterMessage(record(value, { key, headers }), rejection, AT, limit)
          expect(fitsAlone(letter, limit)).toBe(true)
          const keptValue = asBuffer(letter.value)
          expect(keptValue.equals(value.subarray(0, keptValue.length))).toBe(true)
          expect(header(letter, DEAD_LETTER_HEADERS.reason)).toBe('INVALID_JSON')
          const whole =
            keptValue.length === value.length && header(letter, DEAD_LETTER_HEADERS.truncated) === undefined
          if (!whole) expect(header(letter, DEAD_LETTER_HEADERS.truncated)).toMatch(/^value/)
        },
      ),
      { numRuns: 40 },
    )
  })
})

describe('transformRecord and the topics limit', () => {
  /** The json format, writing a value as large as asked: a format may write a record of any size. */
  const inflating = (bytes: number): StockFormat => ({
    ...jsonFormat,
    write: (stock) => ({ key: jsonFormat.write(stock).key, value: 'v'.repeat(bytes) }),
  })
  const stock = Buffer.from(
    JSON.stringify({ event_time: '2023-08-08 04:21:56.123', ticker: 'AAPL', price: 1.5 }),
  )

  it('dead-letters a record whose sink record would be over the limit', () => {
    const outcome = transformRecord(record(stock), {
      format: inflating(1_200_000),
      validation: 'strict',
      maxMessageBytes: LIMIT,
      deadLetteredAt: AT,
    })
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'RECORD_TOO_LARGE' })
    if (outcome.kind !== 'dead-letter') return
    expect(outcome.detail).toMatch(/^its sink record would be 120\d{4} bytes; the topics take up to 1048588$/)
    expect(fitsAlone(outcome.message, LIMIT)).toBe(true)
  })

  it('writes the same record when the topics take it, counting UTF-8 bytes, not string lengths', () => {
    // 400,000 three-byte characters: 1.2 MB of UTF-8 in a string of 400,000 units.
    const wide: StockFormat = {
      ...jsonFormat,
      write: (s) => ({ key: jsonFormat.write(s).key, value: '€'.repeat(400_000) }),
    }
    const options = { validation: 'strict', maxMessageBytes: LIMIT, deadLetteredAt: AT } as const
    expect(transformRecord(record(stock), { ...options, format: wide })).toMatchObject({
      kind: 'dead-letter',
      reason: 'RECORD_TOO_LARGE',
    })
    expect(
      transformRecord(record(stock), { ...options, format: wide, maxMessageBytes: 2 * LIMIT }),
    ).toMatchObject({
      kind: 'sink',
    })
    expect(transformRecord(record(stock), { ...options, format: inflating(1_000_000) })).toMatchObject({
      kind: 'sink',
    })
  })
})
