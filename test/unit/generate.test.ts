import { describe, expect, it } from 'vitest'
import { parseEventTime } from '../../lib/stocks/event-time.js'
import { generateStockBatch, randomPrice } from '../../lib/stocks/generate.js'
import { TICKERS } from '../../lib/stocks/stock.js'

describe('generateStockBatch', () => {
  const now = Date.parse('2026-11-24T09:00:00.123Z')

  it("makes one record per ticker of the original's 17, in order, stamped now", () => {
    const batch = generateStockBatch(now)
    expect(batch.map((stock) => stock.ticker)).toEqual([...TICKERS])
    expect(TICKERS).toHaveLength(17)
    for (const stock of batch) {
      expect(stock.event_time).toBe('2026-11-24 09:00:00.123000')
      expect(parseEventTime(stock.event_time)).toBe(now)
    }
  })

  it('draws prices from 0 to 100 with at most 2 decimals', () => {
    for (const stock of generateStockBatch(now)) {
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
  ])('rounds random %f to %f', (random, price) => {
    expect(randomPrice(() => random)).toBe(price)
  })
})
