import { describe, expect, it } from 'vitest'
import {
  decodeStock,
  encodeKey,
  encodeSinkValue,
  encodeStock,
  MAX_VALUE_BYTES,
  type RejectionReason,
} from '../../lib/stocks/codec.js'

const bytes = (text: string) => Buffer.from(text)
const json = (value: unknown) => bytes(JSON.stringify(value))
const valid = { event_time: '2023-08-08 04:21:56.327123', ticker: 'AAPL', price: 41.72 }

describe('encoding', () => {
  it('keys by ticker as compact JSON', () => {
    expect(encodeKey('AAPL')).toBe('{"ticker":"AAPL"}')
  })

  it('writes source values in the original field order', () => {
    expect(encodeStock({ price: 1.5, ticker: 'V', event_time: '2023-08-08 04:21:56.327000' })).toBe(
      '{"event_time":"2023-08-08 04:21:56.327000","ticker":"V","price":1.5}',
    )
  })

  it('writes sink values exactly as the Flink job did', () => {
    const decoded = decodeStock(json(valid))
    if (!decoded.ok) throw new Error(decoded.detail)
    expect(encodeSinkValue(decoded.stock)).toBe(
      '{"event_time":"2023-08-08 04:21:56.327","ticker":"AAPL","price":41.72}',
    )
  })
})

describe('decodeStock', () => {
  it('accepts the original producer value, with Python spacing', () => {
    const decoded = decodeStock(
      bytes('{"event_time": "2023-08-08 04:21:56.327123", "ticker": "AAPL", "price": 41.72}'),
    )
    expect(decoded).toEqual({
      ok: true,
      stock: { eventTimeMs: Date.parse('2023-08-08T04:21:56.327Z'), ticker: 'AAPL', price: 41.72 },
    })
  })

  it('accepts prices 0 and 100 and six-character tickers', () => {
    expect(decodeStock(json({ ...valid, price: 0 })).ok).toBe(true)
    expect(decodeStock(json({ ...valid, price: 100 })).ok).toBe(true)
    expect(decodeStock(json({ ...valid, ticker: 'ABCDEF' })).ok).toBe(true)
  })

  it('drops unknown fields, as the fixed Flink schema did', () => {
    const decoded = decodeStock(json({ ...valid, exchange: 'NASDAQ' }))
    if (!decoded.ok) throw new Error(decoded.detail)
    expect(JSON.parse(encodeSinkValue(decoded.stock))).not.toHaveProperty('exchange')
  })

  const cases: [string, Uint8Array | null, RejectionReason, RegExp][] = [
    ['a tombstone', null, 'TOMBSTONE', /no value/],
    ['an oversized value', Buffer.alloc(MAX_VALUE_BYTES + 1, 32), 'VALUE_TOO_LARGE', /65537 bytes/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'INVALID_UTF8', /UTF-8/],
    ['not JSON', bytes('{not json'), 'INVALID_JSON', /not JSON/],
    ['an empty value', bytes(''), 'INVALID_JSON', /not JSON/],
    ['a JSON array', json([valid]), 'NOT_AN_OBJECT', /object/],
    ['a JSON string', json('AAPL'), 'NOT_AN_OBJECT', /object/],
    ['JSON null', bytes('null'), 'NOT_AN_OBJECT', /object/],
    ['no event_time', json({ ticker: 'AAPL', price: 1 }), 'MISSING_FIELD', /event_time/],
    ['a null ticker', json({ ...valid, ticker: null }), 'MISSING_FIELD', /ticker/],
    ['no price', json({ event_time: valid.event_time, ticker: 'AAPL' }), 'MISSING_FIELD', /price/],
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
    ['a bad event_time', json({ ...valid, event_time: 'yesterday' }), 'INVALID_EVENT_TIME', /event_time/],
  ]
  it('does not quote the value in the reason, which reaches logs', () => {
    const decoded = decodeStock(bytes('{"secret-ish": tru'))
    expect(decoded).toMatchObject({ ok: false, reason: 'INVALID_JSON' })
    expect(JSON.stringify(decoded)).not.toContain('secret-ish')
  })

  it.each(cases)('rejects %s', (_name, value, reason, detail) => {
    const decoded = decodeStock(value)
    expect(decoded.ok).toBe(false)
    if (decoded.ok) return
    expect(decoded.reason).toBe(reason)
    expect(decoded.detail).toMatch(detail)
  })
})
