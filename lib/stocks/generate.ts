import { epochMicros } from './clock.js'
import { formatProducerEventTime } from './event-time.js'
import { type Stock, TICKERS } from './stock.js'

/**
 * A random price from 0 to 100 with 2 decimals, as the original's `round(random.random() * 100, 2)`:
 * Python rounds the double's exact value to 2 decimals, ties to even. `toFixed` rounds the exact value
 * too, but ties up; a tie is only possible when the value is an odd multiple of 1/8.
 */
export function randomPrice(random: () => number = Math.random): number {
  const value = random() * 100
  if (Number.isInteger(value * 8) && !Number.isInteger(value * 4)) {
    const hundredths = Math.floor(value * 100)
    return (hundredths % 2 === 0 ? hundredths : hundredths + 1) / 100
  }
  return Number(value.toFixed(2))
}

/** One batch: one record per ticker, in the original's order, each stamped with its own time. */
export function generateStockBatch(
  clock: () => number = epochMicros,
  random: () => number = Math.random,
): Stock[] {
  return TICKERS.map((ticker) => ({
    event_time: formatProducerEventTime(clock()),
    ticker,
    price: randomPrice(random),
  }))
}
