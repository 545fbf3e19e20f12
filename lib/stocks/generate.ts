import { formatProducerEventTime } from './event-time.js'
import { type Stock, TICKERS } from './stock.js'

/** A random price from 0 to 100, rounded to 2 decimals like the original's `round(random() * 100, 2)`. */
export function randomPrice(random: () => number = Math.random): number {
  return Math.round(random() * 10_000) / 100
}

/** One batch: one record per ticker, all stamped with the same event time. */
export function generateStockBatch(now: number, random: () => number = Math.random): Stock[] {
  const event_time = formatProducerEventTime(now)
  return TICKERS.map((ticker) => ({ event_time, ticker, price: randomPrice(random) }))
}
