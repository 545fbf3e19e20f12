import { describe, expect, it } from 'vitest'
import { jsonFormat } from '../../lib/stocks/json-format.js'
import { MAX_VALUE_BYTES } from '../../lib/stocks/stock.js'

/** The json sink format's own tests: plain JSON both ways, its bytes pinned here. */

const stock = { event_time: '2023-08-08 04:21:56.484810', ticker: 'AAPL', price: 41.72 }
const read = (value: string | Buffer | null) => jsonFormat.read(value, 'strict')

describe('the json sink format', () => {
  it('writes a stock as plain JSON, keyed by ticker', () => {
    expect(jsonFormat.write(stock)).toEqual({
      key: '{"ticker":"AAPL"}',
      value: '{"event_time":"2023-08-08 04:21:56.484810","ticker":"AAPL","price":41.72}',
    })
    expect(jsonFormat.write({ ...stock, price: 44 }).value).toContain('"price":44}')
  })

  it('reads what it writes, and the original producer Python spacing', () => {
    expect(read(jsonFormat.write(stock).value)).toEqual({ ok: true, stocks: [stock] })
    expect(read('{"event_time": "2023-08-08 04:21:56.484810", "ticker": "AAPL", "price": 41.72}')).toEqual({
      ok: true,
      stocks: [stock],
    })
  })

  it('leaves out fields the record does not have', () => {
    expect(read(JSON.stringify({ ...stock, exchange: 'NASDAQ' }))).toEqual({ ok: true, stocks: [stock] })
  })

  it.each([
    ['a tombstone', null, 'TOMBSTONE'],
    ['an empty value', '', 'EMPTY_VALUE'],
    ['an oversized value', Buffer.alloc(MAX_VALUE_BYTES + 1, 32), 'VALUE_TOO_LARGE'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'INVALID_UTF8'],
    ['not JSON', '{"event_time":', 'INVALID_JSON'],
    ['an array', JSON.stringify([stock]), 'NOT_AN_OBJECT'],
    ['JSON null', 'null', 'NOT_AN_OBJECT'],
    ['no ticker', JSON.stringify({ ...stock, ticker: undefined }), 'MISSING_FIELD'],
    ['a string price', JSON.stringify({ ...stock, price: '41.72' }), 'INVALID_FIELD_TYPE'],
    ['a bad time', JSON.stringify({ ...stock, event_time: '2023-02-30 01:00:00' }), 'INVALID_EVENT_TIME'],
  ] as const)('refuses %s with its reason', (_name, value, reason) => {
    expect(read(value)).toMatchObject({ ok: false, reason })
  })

  it('does not quote the value in the reason, which reaches logs', () => {
    expect(JSON.stringify(read('{"secret-ish": tru'))).not.toContain('secret-ish')
  })

  it('offers the strict validation only', () => {
    expect(jsonFormat.validations).toEqual(['strict'])
  })
})
