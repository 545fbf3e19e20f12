import { isUtf8 } from 'node:buffer'
import { formatFlinkTimestamp, parseEventTime } from './event-time.js'
import { MAX_TICKER_LENGTH, type Stock } from './stock.js'

const keys = new Map<string, string>()
const MAX_CACHED_KEYS = 1_024

/** The message key both topics use: `{"ticker":"AAPL"}`, like the Flink sink's `key.format = json`. */
export function encodeKey(ticker: string): string {
  let key = keys.get(ticker)
  if (key === undefined) {
    key = `{"ticker":${JSON.stringify(ticker)}}`
    // A handful of tickers in practice; the bound keeps odd input from growing the cache.
    if (keys.size < MAX_CACHED_KEYS) keys.set(ticker, key)
  }
  return key
}

/** The source topic's value: the record as JSON, in the original producer's field order. */
export function encodeStock(stock: Stock): string {
  return JSON.stringify({ event_time: stock.event_time, ticker: stock.ticker, price: stock.price })
}

/** Why a value could not be turned into a stock. Stable codes, meant for headers, metrics and alarms. */
export type RejectionReason =
  | 'TOMBSTONE'
  | 'VALUE_TOO_LARGE'
  | 'INVALID_UTF8'
  | 'INVALID_JSON'
  | 'NOT_AN_OBJECT'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD_TYPE'
  | 'INVALID_TICKER'
  | 'INVALID_PRICE'
  | 'INVALID_EVENT_TIME'

export interface Rejection {
  readonly reason: RejectionReason
  readonly detail: string
}

/** A validated record, with its event time already normalised to epoch milliseconds. */
export interface ValidStock {
  readonly eventTimeMs: number
  readonly ticker: string
  readonly price: number
}

export type DecodeResult =
  | { readonly ok: true; readonly stock: ValidStock }
  | ({ readonly ok: false } & Rejection)

/** A stock record is under 100 bytes; anything far larger is not one and is not worth parsing. */
export const MAX_VALUE_BYTES = 64 * 1024

function reject(reason: RejectionReason, detail: string): DecodeResult {
  return { ok: false, reason, detail }
}

/**
 * Decodes and validates a source value. Required: `event_time` (a string in an accepted form), `ticker`
 * (1 to 6 characters) and `price` (a finite number, not negative). Other fields are ignored and dropped,
 * as the Flink job's fixed schema did.
 */
export function decodeStock(value: Uint8Array | null): DecodeResult {
  if (value === null) return reject('TOMBSTONE', 'the record has no value')
  if (value.byteLength > MAX_VALUE_BYTES) {
    return reject(
      'VALUE_TOO_LARGE',
      `the value is ${value.byteLength} bytes; the limit is ${MAX_VALUE_BYTES}`,
    )
  }
  if (!isUtf8(value)) return reject('INVALID_UTF8', 'the value is not valid UTF-8')
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  return decodeStockJson(bytes.toString('utf8'))
}

/**
 * The same for a value already known to be text, one byte per character (plain ASCII, see
 * decodeAsciiBase64): what decodeStock gives for its bytes, without going through them.
 */
export function decodeStockText(text: string): DecodeResult {
  if (text.length > MAX_VALUE_BYTES) {
    return reject('VALUE_TOO_LARGE', `the value is ${text.length} bytes; the limit is ${MAX_VALUE_BYTES}`)
  }
  return decodeStockJson(text)
}

function decodeStockJson(text: string): DecodeResult {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    // V8's message quotes the input; keep only where it broke, so no payload reaches a log line.
    const position = /position (\d+)/.exec((error as Error).message)?.[1]
    return reject(
      'INVALID_JSON',
      `the value is not JSON${position === undefined ? '' : ` (at position ${position})`}`,
    )
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return reject('NOT_AN_OBJECT', 'the value is not a JSON object')
  }
  const { event_time, ticker, price } = parsed as Record<string, unknown>

  if (event_time === undefined || event_time === null) return reject('MISSING_FIELD', 'event_time is missing')
  if (ticker === undefined || ticker === null) return reject('MISSING_FIELD', 'ticker is missing')
  if (price === undefined || price === null) return reject('MISSING_FIELD', 'price is missing')

  if (typeof event_time !== 'string') return reject('INVALID_FIELD_TYPE', 'event_time is not a string')
  if (typeof ticker !== 'string') return reject('INVALID_FIELD_TYPE', 'ticker is not a string')
  if (typeof price !== 'number') return reject('INVALID_FIELD_TYPE', 'price is not a number')

  if (ticker.length === 0 || ticker.length > MAX_TICKER_LENGTH) {
    return reject(
      'INVALID_TICKER',
      `ticker must be 1 to ${MAX_TICKER_LENGTH} characters, got ${ticker.length}`,
    )
  }
  // JSON cannot write NaN, but 1e999 parses to Infinity.
  if (!Number.isFinite(price)) return reject('INVALID_PRICE', 'price is not finite')
  if (price < 0) return reject('INVALID_PRICE', 'price is negative')

  const eventTimeMs = parseEventTime(event_time)
  if (eventTimeMs === undefined) {
    return reject('INVALID_EVENT_TIME', 'event_time is not yyyy-MM-dd HH:mm:ss[.fraction] or its ISO form')
  }
  return { ok: true, stock: { eventTimeMs, ticker, price } }
}

const sinkTickerFields = new Map<string, string>()

/** `","ticker":"AAPL","price":`, the part of a sink value that only depends on the ticker. */
function tickerFields(ticker: string): string {
  let fields = sinkTickerFields.get(ticker)
  if (fields === undefined) {
    fields = `","ticker":${JSON.stringify(ticker)},"price":`
    if (sinkTickerFields.size < MAX_CACHED_KEYS) sinkTickerFields.set(ticker, fields)
  }
  return fields
}

/**
 * The sink value, exactly as the Flink job's JSON format wrote the `sink_table` row: what
 * `JSON.stringify({ event_time, ticker, price })` gives, written out (the event time needs no escaping,
 * and for a finite number `String` and `JSON.stringify` agree).
 */
export function encodeSinkValue(stock: ValidStock): string {
  return `{"event_time":"${formatFlinkTimestamp(stock.eventTimeMs)}${tickerFields(stock.ticker)}${String(stock.price)}}`
}
