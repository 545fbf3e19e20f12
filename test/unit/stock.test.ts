import { describe, expect, it } from 'vitest'
import { isEventTime } from '../../lib/stocks/event-time.js'
import { readStock, type Stock, transformStock } from '../../lib/stocks/stock.js'

/** The record and its rules (lib/stocks/stock.ts): what a team changes to make the pipeline its own. */

const stock: Stock = { event_time: '2023-08-08 04:21:56.484810', ticker: 'AAPL', price: 41.72 }

describe('transformStock, the rules', () => {
  it('writes a stock that keeps them, as it is', () => {
    expect(transformStock(stock)).toEqual({ kind: 'sink', stock })
    expect(transformStock({ ...stock, ticker: '😀😀😀😀😀😀', price: 0 })).toMatchObject({ kind: 'sink' })
  })

  it.each([
    [{ ...stock, ticker: '' }, 'INVALID_TICKER', 'ticker must be 1 to 6 characters, got 0'],
    [{ ...stock, ticker: 'TOOLONG' }, 'INVALID_TICKER', 'ticker must be 1 to 6 characters, got 7'],
    [{ ...stock, price: -0.01 }, 'INVALID_PRICE', 'price is negative'],
    [{ ...stock, price: Number.POSITIVE_INFINITY }, 'INVALID_PRICE', 'price is not finite'],
  ])('dead-letters %j', (input, reason, detail) => {
    expect(transformStock(input)).toEqual({ kind: 'dead-letter', reason, detail })
  })
})

describe('readStock, the fields of a JSON object', () => {
  it('reads the three fields, leaving others out', () => {
    expect(readStock({ ...stock, exchange: 'NASDAQ' })).toEqual(stock)
  })

  it.each([
    [{ ticker: 'A', price: 1 }, 'MISSING_FIELD', 'event_time is missing'],
    [{ ...stock, ticker: null }, 'MISSING_FIELD', 'ticker is missing'],
    [{ ...stock, price: '1' }, 'INVALID_FIELD_TYPE', 'price is not a number'],
    [{ ...stock, ticker: 7 }, 'INVALID_FIELD_TYPE', 'ticker is not a string'],
    [{ ...stock, event_time: 'yesterday' }, 'INVALID_EVENT_TIME', expect.stringContaining('real date')],
  ])('refuses %j', (fields, reason, detail) => {
    expect(readStock(fields)).toEqual({ reason, detail })
  })
})

describe('isEventTime', () => {
  it.each([
    '2023-08-08 04:21:56.484810',
    '2023-08-08 04:21:56',
    '2024-02-29 23:59:59.999999999',
    '2023-08-08T04:21:56.327',
    '2023-08-08T04:21:56.327Z',
    '2023-08-08T06:21:56+02:00',
    '2023-08-08T00:51:56-18:00',
  ])('takes %s', (text) => {
    expect(isEventTime(text)).toBe(true)
  })

  it.each([
    '2023-02-29 01:00:00',
    '1900-02-29 01:00:00',
    '2023-08-08 24:00:00',
    '2023-08-08 04:60:00',
    '2023-13-01 00:00:00',
    '2023-08-08 04:21:56Z',
    '2023-08-08T04:21:56+18:01',
    '2023-08-08T04:21:56+0200',
    '2023-08-08 04:21:56.1234567890',
    '08/08/2023 04:21',
  ])('refuses %s', (text) => {
    expect(isEventTime(text)).toBe(false)
  })
})
