import type { ReadResult, SourceValue, StockFormat } from './format.js'
import { rejection } from './reasons.js'
import { MAX_VALUE_BYTES, readStock, type Stock, stockJson, tickerKey } from './stock.js'

const UTF8 = new TextDecoder('utf-8', { fatal: true })

function fail(reason: Parameters<typeof rejection>[0], detail: string): ReadResult {
  return { ok: false, ...rejection(reason, detail) }
}

/** The value's text, or why it has none: nothing, empty, too large, not UTF-8. */
function textOf(value: SourceValue): string | ReadResult {
  if (value === null) return fail('TOMBSTONE', 'the record has no value')
  const size = typeof value === 'string' ? value.length : value.byteLength
  if (size === 0) return fail('EMPTY_VALUE', 'the value is empty')
  if (size > MAX_VALUE_BYTES) {
    return fail('VALUE_TOO_LARGE', `the value is ${size} bytes; the limit is ${MAX_VALUE_BYTES}`)
  }
  if (typeof value === 'string') return value
  try {
    return UTF8.decode(value)
  } catch {
    return fail('INVALID_UTF8', 'the value is not valid UTF-8')
  }
}

/**
 * `json`: plain JSON both ways. A value is one JSON object (JSON.parse: a repeated field keeps its last
 * value); the sink gets the stock as JSON, its fields in the order readStock gives them, keyed
 * `{"ticker":"..."}`. The format a team extends: a field added to the Stock (and to readStock) is written
 * with no change here.
 */
export const jsonFormat: StockFormat = {
  validations: ['strict'],

  read(value) {
    const text = textOf(value)
    if (typeof text !== 'string') return text
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      // JSON.parse's message quotes the value, which must not reach the logs.
      return fail('INVALID_JSON', 'the value is not JSON')
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return fail('NOT_AN_OBJECT', 'the value is not a JSON object')
    }
    const stock = readStock(parsed as Record<string, unknown>)
    return 'reason' in stock ? { ok: false, ...stock } : { ok: true, stocks: [stock] }
  },

  write(stock: Stock) {
    return { key: tickerKey(stock.ticker), value: stockJson(stock) }
  },
}
