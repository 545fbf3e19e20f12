import { type JacksonText, jacksonText } from '../flink/jackson-bytes.js'
import { jacksonDouble, jacksonString } from '../flink/jackson-writer.js'
import { type FieldRead, type ReadProblem, type RowField, readRow } from '../flink/json-row-reader.js'
import { convertFlinkRow, type FlinkRow } from '../flink/source-row.js'
import { flinkTimestampText, formatSqlTimestamp, throughTimestampData } from '../flink/sql-timestamp.js'
import { parseIsoEventTime } from './event-time.js'
import { MAX_TICKER_LENGTH, type Stock } from './stock.js'

/**
 * How the processor reads a source value (stage param `validation`, env VALIDATION_MODE). Both write
 * every record they write byte for byte as the Flink job did, and dead-letter, with the reason, what
 * made the Flink job fail (invalid JSON, an unparseable time or price), so the partition keeps flowing.
 *
 * - `strict` (the default) also dead-letters what Flink wrote with nulls or coercions: a missing, null,
 *   duplicated or mistyped field, a negative or infinite price, a ticker of more than 6 characters, an
 *   impossible date that Flink moved to the month's end. It accepts the ISO form with `T` as well.
 * - `flink` writes exactly what the Flink job wrote, for every record it wrote.
 */
export type ValidationMode = 'strict' | 'flink'
export const VALIDATION_MODES: readonly ValidationMode[] = ['strict', 'flink']

/**
 * Why a value could not be written to the sink. Stable codes, meant for headers, metrics and alarms; the
 * list is also what `npm run redrive -- --reason` accepts.
 */
export const REJECTION_REASONS = [
  'TOMBSTONE',
  'EMPTY_VALUE',
  'VALUE_TOO_LARGE',
  'INVALID_UTF8',
  'INVALID_JSON',
  'NOT_AN_OBJECT',
  'MISSING_FIELD',
  'DUPLICATE_FIELD',
  'INVALID_FIELD_TYPE',
  'INVALID_TICKER',
  'INVALID_PRICE',
  'INVALID_EVENT_TIME',
  /** Its sink record would be over the topics' `max.message.bytes` (a ticker of a megabyte, in `flink`). */
  'RECORD_TOO_LARGE',
] as const
export type RejectionReason = (typeof REJECTION_REASONS)[number]

export interface Rejection {
  readonly reason: RejectionReason
  readonly detail: string
}

/** A row of the sink table as Flink wrote it: the event time's text, the ticker and the price. */
export type SinkRow = FlinkRow

/** A value holds one row, or with `flink` an array of them (Flink wrote a record for each). */
export type DecodeResult =
  | { readonly ok: true; readonly rows: readonly SinkRow[] }
  | ({ readonly ok: false } & Rejection)

/** A stock record is under 100 bytes; `strict` refuses anything far larger as not one. */
export const MAX_VALUE_BYTES = 64 * 1024

function reject(reason: RejectionReason, detail: string): DecodeResult {
  return { ok: false, reason, detail }
}

const PROBLEM_REASONS: Record<ReadProblem, RejectionReason> = {
  blank: 'INVALID_JSON',
  syntax: 'INVALID_JSON',
  'not-an-object': 'NOT_AN_OBJECT',
  encoding: 'INVALID_UTF8',
}

const FIELD_REASONS: Record<RowField, RejectionReason> = {
  event_time: 'INVALID_EVENT_TIME',
  ticker: 'INVALID_TICKER',
  price: 'INVALID_PRICE',
}

/** `flink`: Flink's reading, record by record; what failed the job is dead-lettered instead. */
function decodeAsFlink(source: JacksonText): DecodeResult {
  const read = readRow(source)
  const rows: SinkRow[] = []
  // Rows met before a syntax error had already been converted, and may have failed first.
  for (const fields of read.rows) {
    const conversion = convertFlinkRow(fields)
    if (!conversion.ok) return reject(FIELD_REASONS[conversion.field], conversion.detail)
    rows.push(conversion.row)
  }
  if (!read.ok) return reject(PROBLEM_REASONS[read.problem], read.detail)
  if (rows.length === 0)
    return reject('NOT_AN_OBJECT', 'the value is an empty array: Flink wrote no row for it')
  return { ok: true, rows }
}

const TRAILING_WHITESPACE = /^[ \t\n\r]*$/

/** A ticker's length in characters (code points), as the strict mode counts it. */
function tickerLength(ticker: string): number {
  // A string of 6 UTF-16 units or fewer has as many characters or fewer, so only longer ones are counted.
  if (ticker.length <= MAX_TICKER_LENGTH) return ticker.length
  let count = 0
  for (const _ of ticker) count++
  return count
}

function missing(field: FieldRead | undefined): boolean {
  return field === undefined || field.kind === 'null'
}

/** `strict`: the same reading, then the checks that turn Flink's nulls and coercions into dead letters. */
function decodeStrictly(source: JacksonText): DecodeResult {
  const read = readRow(source)
  if (!read.ok) return reject(PROBLEM_REASONS[read.problem], read.detail)
  if (read.array) return reject('NOT_AN_OBJECT', 'the value is an array; strict reads one object per record')
  const text = source.text
  if (read.end < text.length && !TRAILING_WHITESPACE.test(text.slice(read.end))) {
    return reject(
      'INVALID_JSON',
      `the value is not JSON: content follows the object (at character ${read.end})`,
    )
  }
  if (read.duplicateField !== undefined) {
    return reject('DUPLICATE_FIELD', `${read.duplicateField} appears more than once`)
  }
  // No field repeats, so each was read once.
  let eventTime: FieldRead | undefined
  let ticker: FieldRead | undefined
  let price: FieldRead | undefined
  for (const field of read.rows[0] ?? []) {
    if (field.field === 'event_time') eventTime = field
    else if (field.field === 'ticker') ticker = field
    else price = field
  }
  if (missing(eventTime)) return reject('MISSING_FIELD', 'event_time is missing')
  if (missing(ticker)) return reject('MISSING_FIELD', 'ticker is missing')
  if (missing(price)) return reject('MISSING_FIELD', 'price is missing')
  if (eventTime?.kind !== 'string') return reject('INVALID_FIELD_TYPE', 'event_time is not a string')
  if (ticker?.kind !== 'string') return reject('INVALID_FIELD_TYPE', 'ticker is not a string')
  if (price?.kind !== 'number') return reject('INVALID_FIELD_TYPE', 'price is not a number')
  const length = tickerLength(ticker.text)
  if (length === 0 || length > MAX_TICKER_LENGTH) {
    return reject('INVALID_TICKER', `ticker must be 1 to ${MAX_TICKER_LENGTH} characters, got ${length}`)
  }
  const value = Number(price.text)
  if (!Number.isFinite(value)) return reject('INVALID_PRICE', 'price is not finite')
  if (value < 0) return reject('INVALID_PRICE', 'price is negative')
  const time = flinkTimestampText(eventTime.text, 'strict') ?? isoExtensionText(eventTime.text)
  if (time === undefined) {
    return reject(
      'INVALID_EVENT_TIME',
      'event_time is not yyyy-MM-dd HH:mm:ss[.fraction] (or its ISO form), a real date and time',
    )
  }
  return { ok: true, rows: [{ eventTime: time, ticker: ticker.text, price: value }] }
}

/** The strict mode's ISO extension, written as Flink writes its timestamps. */
function isoExtensionText(text: string): string | undefined {
  const time = parseIsoEventTime(text)
  return time === undefined ? undefined : formatSqlTimestamp(throughTimestampData(time))
}

function decodeText(source: JacksonText, mode: ValidationMode): DecodeResult {
  return mode === 'flink' ? decodeAsFlink(source) : decodeStrictly(source)
}

/** Decodes a source value (its raw bytes) into the sink row, or says why it cannot be written. */
export function decodeStock(value: Uint8Array | null, mode: ValidationMode = 'strict'): DecodeResult {
  if (value === null) return reject('TOMBSTONE', 'the record has no value')
  if (value.byteLength === 0) return reject('EMPTY_VALUE', 'the value is empty')
  if (mode === 'strict' && value.byteLength > MAX_VALUE_BYTES) {
    return reject(
      'VALUE_TOO_LARGE',
      `the value is ${value.byteLength} bytes; the limit is ${MAX_VALUE_BYTES}`,
    )
  }
  const source = jacksonText(value)
  if (mode === 'strict' && !source.wellFormedUtf8)
    return reject('INVALID_UTF8', 'the value is not valid UTF-8')
  return decodeText(source, mode)
}

/**
 * The same for a value whose bytes are plain ASCII, already as text (see decodeAsciiBase64): what
 * decodeStock gives for its bytes, without going through them.
 */
export function decodeStockText(text: string, mode: ValidationMode = 'strict'): DecodeResult {
  // A NUL among the first two bytes makes Jackson read the bytes as UTF-16 or UTF-32.
  if (text.charCodeAt(0) === 0 || text.charCodeAt(1) === 0)
    return decodeStock(Buffer.from(text, 'latin1'), mode)
  if (text.length === 0) return reject('EMPTY_VALUE', 'the value is empty')
  if (mode === 'strict' && text.length > MAX_VALUE_BYTES) {
    return reject('VALUE_TOO_LARGE', `the value is ${text.length} bytes; the limit is ${MAX_VALUE_BYTES}`)
  }
  return decodeText({ text, wellFormedUtf8: true, encoding: 'utf8' }, mode)
}

const MAX_CACHED = 16_384
const tickerJson = new Map<string, string>()
const priceJson = new Map<number, string>()

function cached<K>(cache: Map<K, string>, key: K, make: (key: K) => string): string {
  let text = cache.get(key)
  if (text === undefined) {
    text = make(key)
    // A handful of tickers and a few thousand prices in practice; the bound keeps odd input from growing it.
    if (cache.size < MAX_CACHED) cache.set(key, text)
  }
  return text
}

function tickerText(ticker: string | null): string {
  return ticker === null ? 'null' : cached(tickerJson, ticker, jacksonString)
}

function priceText(price: number | null): string {
  if (price === null) return 'null'
  // A Map cannot tell 0 from -0, which Java prints differently.
  return price === 0 ? jacksonDouble(price) : cached(priceJson, price, jacksonDouble)
}

const keys = new Map<string | null, string>()

/** The message key of both topics, `{"ticker":"AAPL"}`: the Flink sink's `key.format = json`. */
export function encodeKey(ticker: string | null): string {
  return cached(keys, ticker, () => `{"ticker":${tickerText(ticker)}}`)
}

/** The sink value, byte for byte as the Flink job's JSON format wrote the `sink_table` row. */
export function encodeSinkValue(row: SinkRow): string {
  const eventTime = row.eventTime === null ? 'null' : `"${row.eventTime}"`
  return `{"event_time":${eventTime},"ticker":${tickerText(row.ticker)},"price":${priceText(row.price)}}`
}

/** The source topic's value: the record as JSON, in the original producer's field order. */
export function encodeStock(stock: Stock): string {
  return JSON.stringify({ event_time: stock.event_time, ticker: stock.ticker, price: stock.price })
}
