import { isEventTime } from './event-time.js'
import { type Rejection, rejection } from './reasons.js'

/**
 * The pipeline's record: one stock price, as the original producer sent it to `stocks-in` and as the
 * processor writes it to `stocks-out`. To add a field: add it here, read it in `readStock`, give it a rule
 * in `transformStock` if it needs one, and produce it in generate.ts (docs/adapting.md).
 */
export interface Stock {
  /** When the price was taken: `yyyy-MM-dd HH:mm:ss.ffffff`, UTC, as the original producer wrote it. */
  readonly event_time: string
  readonly ticker: string
  readonly price: number
}

/** The original producer's 17 tickers, in its order. */
export const TICKERS = [
  'AAPL',
  'ACN',
  'ADBE',
  'AMD',
  'AVGO',
  'CRM',
  'CSCO',
  'IBM',
  'INTC',
  'MA',
  'MSFT',
  'NVDA',
  'ORCL',
  'PYPL',
  'QCOM',
  'TXN',
  'V',
] as const

/** The original sink table's `ticker VARCHAR(6)`, in characters. */
export const MAX_TICKER_LENGTH = 6

/** A stock record is under 100 bytes; `strict` refuses a value far larger as not one. */
export const MAX_VALUE_BYTES = 64 * 1024

/** What the processor does with a stock it read: write it to the sink, or dead-letter it and say why. */
export type Transformed =
  | { readonly kind: 'sink'; readonly stock: Stock }
  | ({ readonly kind: 'dead-letter' } & Rejection)

function deadLetter(reason: Rejection['reason'], detail: string): Transformed {
  return { kind: 'dead-letter', ...rejection(reason, detail) }
}

/** A ticker's length in characters (code points): a string of 6 UTF-16 units or fewer has no more. */
function tickerLength(ticker: string): number {
  if (ticker.length <= MAX_TICKER_LENGTH) return ticker.length
  let count = 0
  for (const _ of ticker) count++
  return count
}

/**
 * The rules, free of I/O: what the processor writes to the sink for a stock read from `stocks-in`, or why
 * it dead-letters it instead. The `strict` validation applies them to every record; `flink` writes what
 * the Flink job wrote, without them.
 */
export function transformStock(stock: Stock): Transformed {
  const length = tickerLength(stock.ticker)
  if (length === 0 || length > MAX_TICKER_LENGTH) {
    return deadLetter('INVALID_TICKER', `ticker must be 1 to ${MAX_TICKER_LENGTH} characters, got ${length}`)
  }
  if (!Number.isFinite(stock.price)) return deadLetter('INVALID_PRICE', 'price is not finite')
  if (stock.price < 0) return deadLetter('INVALID_PRICE', 'price is negative')
  return { kind: 'sink', stock }
}

/**
 * A stock from the fields of a JSON object, or why they are not one: every field present, not null, of
 * its type, and the event time a real one. Fields it does not know are left out.
 */
export function readStock(fields: Readonly<Record<string, unknown>>): Stock | Rejection {
  const { event_time, ticker, price } = fields
  for (const [name, value] of [
    ['event_time', event_time],
    ['ticker', ticker],
    ['price', price],
  ] as const) {
    if (value === undefined || value === null) return rejection('MISSING_FIELD', `${name} is missing`)
  }
  if (typeof event_time !== 'string') return rejection('INVALID_FIELD_TYPE', 'event_time is not a string')
  if (typeof ticker !== 'string') return rejection('INVALID_FIELD_TYPE', 'ticker is not a string')
  if (typeof price !== 'number') return rejection('INVALID_FIELD_TYPE', 'price is not a number')
  if (!isEventTime(event_time)) {
    return rejection(
      'INVALID_EVENT_TIME',
      'event_time is not yyyy-MM-dd HH:mm:ss[.fraction] (or its ISO form), a real date and time',
    )
  }
  return { event_time, ticker, price }
}

/** A stock as JSON, its fields in the order the stock has them (the original producer's, for its records). */
export function stockJson(stock: Stock): string {
  return JSON.stringify(stock)
}

/** Both topics' message key, `{"ticker":"AAPL"}`. */
export function tickerKey(ticker: string): string {
  return JSON.stringify({ ticker })
}
