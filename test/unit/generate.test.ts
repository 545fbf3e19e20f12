import { describe, expect, it } from 'vitest'
import { generateStockBatch, randomPrice } from '../../lib/stocks/generate.js'
import { TICKERS } from '../../lib/stocks/stock.js'

describe('generateStockBatch', () => {
  const start = Date.parse('2026-11-24T09:00:00.123Z') * 1000 + 456
  let tick = 0
  const clock = () => start + 7 * tick++

  it("makes one record per ticker of the original's 17, in order, each stamped with its own time", () => {
    tick = 0
    const batch = generateStockBatch(clock)
    expect(batch.map((stock) => stock.ticker)).toEqual([...TICKERS])
    expect(TICKERS).toHaveLength(17)
    expect(batch[0]?.event_time).toBe('2026-11-24 09:00:00.123456')
    expect(batch[1]?.event_time).toBe('2026-11-24 09:00:00.123463')
    expect(new Set(batch.map((stock) => stock.event_time)).size).toBe(17)
  })

  it('draws prices from 0 to 100 with at most 2 decimals', () => {
    for (const stock of generateStockBatch()) {
      expect(stock.price).toBeGreaterThanOrEqual(0)
      expect(stock.price).toBeLessThanOrEqual(100)
      expect(Math.round(stock.price * 100) / 100).toBe(stock.price)
    }
  })
})

describe('randomPrice', () => {
  it.each([
    [0, 0],
    [0.123456, 12.35],
    [0.5, 50],
    [0.99999, 100],
    // Python rounds the exact binary value: 1.005 is 1.00499999999999989..., so round(x, 2) is 1.0.
    [0.01005, 1],
    // Exact ties (odd multiples of 1/8) go to the even hundredth, as Python's round does.
    [0.00125, 0.12],
    [0.00375, 0.38],
  ])('rounds random %f to %f', (random, price) => {
    expect(randomPrice(() => random)).toBe(price)
  })
})
