import { describe, expect, it } from 'vitest'
import {
  type DecodeResult,
  decodeStock,
  decodeStockText,
  encodeKey,
  encodeSinkValue,
  encodeStock,
  MAX_VALUE_BYTES,
  type RejectionReason,
  type ValidationMode,
} from '../../lib/stocks/codec.js'

const bytes = (text: string) => Buffer.from(text)
const json = (value: unknown) => bytes(JSON.stringify(value))
const valid = { event_time: '2023-08-08 04:21:56.484810', ticker: 'AAPL', price: 41.72 }

/** What the processor writes for a value, or the reason it dead-letters it. */
function written(value: Buffer | null, mode: ValidationMode): string {
  const decoded = decodeStock(value, mode)
  return decoded.ok ? decoded.rows.map(encodeSinkValue).join('\n') : `dead-letter ${decoded.reason}`
}

describe('encoding', () => {
  it('keys by ticker as compact JSON, null included', () => {
    expect(encodeKey('AAPL')).toBe('{"ticker":"AAPL"}')
    expect(encodeKey(null)).toBe('{"ticker":null}')
    expect(encodeKey('😀')).toBe('{"ticker":"\\uD83D\\uDE00"}')
  })

  it('writes source values in the original field order', () => {
    expect(encodeStock({ price: 1.5, ticker: 'V', event_time: '2023-08-08 04:21:56.327000' })).toBe(
      '{"event_time":"2023-08-08 04:21:56.327000","ticker":"V","price":1.5}',
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
      expect(decodeStockText(text, mode)).toEqual(decodeStock(Buffer.from(text, 'latin1'), mode))
    }
  })

  it('does not quote the value in the reason, which reaches logs', () => {
    const decoded = decodeStock(bytes('{"secret-ish": tru'), mode)
    expect(decoded).toMatchObject({ ok: false, reason: 'INVALID_JSON' })
    expect(JSON.stringify(decoded)).not.toContain('secret-ish')
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
    expect(decodeStock(large, 'flink').ok).toBe(true)
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
    const decoded: DecodeResult = decodeStock(value, 'strict')
    expect(decoded).toMatchObject({ ok: false, reason })
    if (!decoded.ok) expect(decoded.detail).toMatch(detail)
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
