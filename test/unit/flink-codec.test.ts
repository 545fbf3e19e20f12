import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { flinkFormat } from '../../lib/flink/format.js'
import type { MskRecord } from '../../lib/msk/event.js'
import { transformRecord } from '../../lib/processor/transform.js'
import { formatProducerEventTime } from '../../lib/stocks/event-time.js'
import { VALIDATION_MODES, type ValidationMode } from '../../lib/stocks/format.js'
import type { RejectionReason } from '../../lib/stocks/reasons.js'
import { MAX_VALUE_BYTES, stockJson } from '../../lib/stocks/stock.js'
import { flinkTimeOfProducerTime } from '../support/flink-model.js'

/** The flink sink format's own tests: its bytes, as the Flink job wrote them, pinned here and in the golden corpus. */

const bytes = (text: string) => Buffer.from(text)
const json = (value: unknown) => bytes(JSON.stringify(value))
const valid = { event_time: '2023-08-08 04:21:56.484810', ticker: 'AAPL', price: 41.72 }

/** What the processor writes for a value under the flink format (read, the rules, written), or why not. */
function outcomeOf(value: Buffer | null, mode: ValidationMode) {
  const record: MskRecord = {
    topic: 'stocks-in',
    partition: 0,
    offset: 0,
    timestamp: 0,
    timestampType: 'CREATE_TIME',
    ...(value === null ? {} : { value: value.toString('base64') }),
  }
  return transformRecord(record, {
    format: flinkFormat,
    validation: mode,
    maxMessageBytes: 1_048_588,
    deadLetteredAt: 0,
  })
}

/** The sink values written for a value, one per line, or `dead-letter REASON`. */
function written(value: Buffer | null, mode: ValidationMode): string {
  const outcome = outcomeOf(value, mode)
  return outcome.kind === 'sink'
    ? outcome.messages.map((m) => String(m.value)).join('\n')
    : `dead-letter ${outcome.reason}`
}

/** The reason and detail a value is dead-lettered with. */
function rejectionOf(value: Buffer | null, mode: ValidationMode) {
  const outcome = outcomeOf(value, mode)
  return outcome.kind === 'dead-letter' ? { reason: outcome.reason, detail: outcome.detail } : undefined
}

describe('writing', () => {
  it('keys by ticker as compact JSON, escaped as Jackson escapes, null included (flink)', () => {
    expect(flinkFormat.write({ ...valid, ticker: 'AAPL' }).key).toBe('{"ticker":"AAPL"}')
    expect(flinkFormat.write({ ...valid, ticker: '😀' }).key).toBe('{"ticker":"\\uD83D\\uDE00"}')
    expect(outcomeOf(json({ ...valid, ticker: null }), 'flink')).toMatchObject({
      kind: 'sink',
      messages: [{ key: '{"ticker":null}' }],
    })
  })

  it('writes a stock as the Flink job wrote its row: the time in Flink form, the price as Java prints it', () => {
    expect(
      flinkFormat.write({ event_time: '2023-08-08 04:21:56.327000', ticker: 'V', price: 1.5 }).value,
    ).toBe('{"event_time":"2023-08-08 04:21:56.327","ticker":"V","price":1.5}')
    expect(flinkFormat.write({ event_time: '2026-11-24T01:02:03Z', ticker: 'V', price: 44 }).value).toBe(
      '{"event_time":"2026-11-24 01:02:03","ticker":"V","price":44.0}',
    )
  })
})

describe.each(['strict', 'flink'] as const)('both modes (%s)', (mode) => {
  it.each([
    [valid, '{"event_time":"2023-08-08 04:21:56.48481","ticker":"AAPL","price":41.72}'],
    [{ ...valid, price: 44 }, '{"event_time":"2023-08-08 04:21:56.48481","ticker":"AAPL","price":44.0}'],
    [
      { ...valid, price: 0.0001 },
      '{"event_time":"2023-08-08 04:21:56.48481","ticker":"AAPL","price":1.0E-4}',
    ],
    [
      { ...valid, price: 12345678.9 },
      '{"event_time":"2023-08-08 04:21:56.48481","ticker":"AAPL","price":1.23456789E7}',
    ],
    [
      { ...valid, event_time: '2023-08-08 04:21:56.000000' },
      '{"event_time":"2023-08-08 04:21:56","ticker":"AAPL","price":41.72}',
    ],
    [
      { ...valid, exchange: 'NASDAQ' },
      '{"event_time":"2023-08-08 04:21:56.48481","ticker":"AAPL","price":41.72}',
    ],
  ])('writes %j as Flink did', (value, sink) => {
    expect(written(json(value), mode)).toBe(sink)
  })

  it('reads the Python spacing of the original producer', () => {
    expect(
      written(bytes('{"event_time": "2023-08-08 04:21:56.120000", "ticker": "V", "price": 7.0}'), mode),
    ).toBe('{"event_time":"2023-08-08 04:21:56.12","ticker":"V","price":7.0}')
  })

  const deadLetters: [string, Buffer | null, RejectionReason][] = [
    ['a tombstone', null, 'TOMBSTONE'],
    ['an empty value', bytes(''), 'EMPTY_VALUE'],
    ['not JSON', bytes('{"event_time":'), 'INVALID_JSON'],
    ['an array of something else', bytes('[1]'), 'NOT_AN_OBJECT'],
    ['an empty array', bytes('[]'), 'NOT_AN_OBJECT'],
    ['JSON null', bytes('null'), 'NOT_AN_OBJECT'],
    ['an ISO-less bad time', json({ ...valid, event_time: 'yesterday' }), 'INVALID_EVENT_TIME'],
    [
      'bare NaN from Python',
      bytes('{"event_time":"2023-08-08 04:21:56","ticker":"V","price":NaN}'),
      'INVALID_JSON',
    ],
    [
      'a word as the price',
      json({ ...valid, price: 'abc' }),
      mode === 'strict' ? 'INVALID_FIELD_TYPE' : 'INVALID_PRICE',
    ],
  ]
  it.each(deadLetters)('dead-letters %s', (_name, value, reason) => {
    expect(written(value, mode)).toBe(`dead-letter ${reason}`)
  })

  it('gives the same answer from text as from the bytes of plain ASCII', () => {
    for (const text of [
      '{"ticker":"A","price":1,"event_time":"2023-08-08 04:21:56"}',
      '{}',
      '\u0000{}',
      '[',
      ' ',
    ]) {
      expect(flinkFormat.read(text, mode)).toEqual(flinkFormat.read(Buffer.from(text, 'latin1'), mode))
    }
  })

  it('does not quote the value in the reason, which reaches logs', () => {
    const read = flinkFormat.read(bytes('{"secret-ish": tru'), mode)
    expect(read).toMatchObject({ ok: false, reason: 'INVALID_JSON' })
    expect(JSON.stringify(read)).not.toContain('secret-ish')
  })
})

describe('flink mode: what the Flink job wrote, nulls and coercions included', () => {
  it('writes a record for each object of an array, as Flink wrote a row for each', () => {
    expect(written(json([valid, { ticker: 'V' }]), 'flink')).toBe(
      '{"event_time":"2023-08-08 04:21:56.48481","ticker":"AAPL","price":41.72}\n' +
        '{"event_time":null,"ticker":"V","price":null}',
    )
    expect(written(json([valid, null]), 'flink')).toBe('dead-letter NOT_AN_OBJECT')
  })

  it.each([
    [{}, '{"event_time":null,"ticker":null,"price":null}'],
    [{ ...valid, price: null }, '{"event_time":"2023-08-08 04:21:56.48481","ticker":"AAPL","price":null}'],
    [{ ...valid, price: '12.5' }, '{"event_time":"2023-08-08 04:21:56.48481","ticker":"AAPL","price":12.5}'],
    [{ ...valid, price: -3 }, '{"event_time":"2023-08-08 04:21:56.48481","ticker":"AAPL","price":-3.0}'],
    [
      { ...valid, ticker: 'TOOLONGTICKER' },
      '{"event_time":"2023-08-08 04:21:56.48481","ticker":"TOOLONGTICKER","price":41.72}',
    ],
    [{ ...valid, ticker: 12 }, '{"event_time":"2023-08-08 04:21:56.48481","ticker":"12","price":41.72}'],
    [
      { ...valid, event_time: '2023-02-30 01:00:00' },
      '{"event_time":"2023-02-28 01:00:00","ticker":"AAPL","price":41.72}',
    ],
  ])('writes %j', (value, sink) => {
    expect(written(json(value), 'flink')).toBe(sink)
  })

  it('dead-letters the ISO form, which failed the job', () => {
    expect(written(json({ ...valid, event_time: '2026-11-24T01:02:03.123456' }), 'flink')).toBe(
      'dead-letter INVALID_EVENT_TIME',
    )
  })

  it('ignores what follows the object, as Flink never read it', () => {
    expect(written(bytes(`${JSON.stringify(valid)} trailing`), 'flink')).toBe(
      '{"event_time":"2023-08-08 04:21:56.48481","ticker":"AAPL","price":41.72}',
    )
  })

  it('has no size limit of its own', () => {
    const large = json({ ...valid, padding: 'x'.repeat(MAX_VALUE_BYTES) })
    expect(flinkFormat.read(large, 'flink').ok).toBe(true)
  })
})

describe('strict mode: nulls, coercions and oddities dead-lettered with their reason', () => {
  const cases: [string, Buffer, RejectionReason, RegExp][] = [
    ['a JSON array', json([valid]), 'NOT_AN_OBJECT', /one object per record/],
    ['an oversized value', Buffer.alloc(MAX_VALUE_BYTES + 1, 32), 'VALUE_TOO_LARGE', /65537 bytes/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'INVALID_UTF8', /UTF-8/],
    ['UTF-16', Buffer.from(JSON.stringify(valid), 'utf16le'), 'INVALID_UTF8', /UTF-8/],
    ['content after the object', bytes(`${JSON.stringify(valid)} x`), 'INVALID_JSON', /follows/],
    ['no event_time', json({ ticker: 'AAPL', price: 1 }), 'MISSING_FIELD', /event_time/],
    ['a null ticker', json({ ...valid, ticker: null }), 'MISSING_FIELD', /ticker/],
    [
      'a repeated field',
      bytes('{"ticker":"A","ticker":"B","price":1,"event_time":"2023-08-08 04:21:56"}'),
      'DUPLICATE_FIELD',
      /ticker/,
    ],
    [
      'a numeric event_time',
      json({ ...valid, event_time: 1691468516327 }),
      'INVALID_FIELD_TYPE',
      /event_time/,
    ],
    ['a numeric ticker', json({ ...valid, ticker: 42 }), 'INVALID_FIELD_TYPE', /ticker/],
    ['a string price', json({ ...valid, price: '41.72' }), 'INVALID_FIELD_TYPE', /price/],
    ['an empty ticker', json({ ...valid, ticker: '' }), 'INVALID_TICKER', /got 0/],
    ['a long ticker', json({ ...valid, ticker: 'TOOLONG' }), 'INVALID_TICKER', /got 7/],
    [
      'an infinite price',
      bytes('{"event_time":"2023-08-08 04:21:56","ticker":"V","price":1e999}'),
      'INVALID_PRICE',
      /finite/,
    ],
    ['a negative price', json({ ...valid, price: -0.01 }), 'INVALID_PRICE', /negative/],
    [
      'an impossible date',
      json({ ...valid, event_time: '2023-02-30 01:00:00' }),
      'INVALID_EVENT_TIME',
      /real date/,
    ],
    ['24:00', json({ ...valid, event_time: '2023-08-08 24:00:00' }), 'INVALID_EVENT_TIME', /real date/],
  ]
  it.each(cases)('dead-letters %s', (_name, value, reason, detail) => {
    const rejection = rejectionOf(value, 'strict')
    expect(rejection?.reason).toBe(reason)
    expect(rejection?.detail).toMatch(detail)
  })

  it('counts a ticker in characters, not UTF-16 units', () => {
    expect(written(json({ ...valid, ticker: '😀😀😀' }), 'strict')).toBe(
      '{"event_time":"2023-08-08 04:21:56.48481","ticker":"\\uD83D\\uDE00\\uD83D\\uDE00\\uD83D\\uDE00","price":41.72}',
    )
  })

  it('accepts the ISO form as an extension, written in the Flink format', () => {
    expect(written(json({ ...valid, event_time: '2026-11-24T01:02:03.123456' }), 'strict')).toBe(
      '{"event_time":"2026-11-24 01:02:03.123456","ticker":"AAPL","price":41.72}',
    )
  })
})

describe('the flink format and the topics limit', () => {
  it('dead-letters a record whose sink record would be over the topics limit: flink writes any ticker', () => {
    const ticker = 't'.repeat(600_000)
    const outcome = outcomeOf(json({ ...valid, ticker }), 'flink')
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'RECORD_TOO_LARGE' })
    if (outcome.kind !== 'dead-letter') return
    expect(outcome.detail).toMatch(/its sink record would be 12\d{5} bytes; the topics take up to 1048588/)
  })
})

describe('properties of the flink format', () => {
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
    fc.uint8Array({ maxLength: 300 }).map((value) => Buffer.from(value)),
    fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
    fc
      .record(
        { event_time: fc.oneof(fc.string(), fc.jsonValue()), ticker: fc.jsonValue(), price: fc.jsonValue() },
        { requiredKeys: [] },
      )
      .map((value) => Buffer.from(JSON.stringify(value))),
    fc.constant(null),
  )

  it('strict writes nothing that flink would write differently, and accepts nothing flink dead-letters but the ISO form', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const strict = outcomeOf(value, 'strict')
        if (strict.kind !== 'sink') return
        const flink = outcomeOf(value, 'flink')
        if (flink.kind === 'sink') expect(strict.messages).toEqual(flink.messages)
        else expect(flink.reason).toBe('INVALID_EVENT_TIME')
      }),
      { numRuns: 2_000 },
    )
  })

  it('every valid record round-trips in both modes: same ticker and price, the time with its own fraction digits', () => {
    fc.assert(
      fc.property(instant, ticker, price, fc.constantFrom(...VALIDATION_MODES), (micros, t, p, mode) => {
        const event_time = formatProducerEventTime(micros)
        const written = outcomeOf(Buffer.from(stockJson({ event_time, ticker: t, price: p })), mode)
        if (written.kind !== 'sink') throw new Error(`${written.reason}: ${written.detail}`)
        const value = String(written.messages[0]?.value)
        expect(value.startsWith(`{"event_time":"${flinkTimeOfProducerTime(event_time)}","ticker":`)).toBe(
          true,
        )
        // Java's digits differ from JavaScript's, but the values are the same.
        expect(JSON.parse(value)).toEqual({
          event_time: flinkTimeOfProducerTime(event_time),
          ticker: t,
          price: p,
        })
      }),
      { numRuns: 2_000 },
    )
  })
})
