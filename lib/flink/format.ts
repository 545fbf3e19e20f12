import type { ReadResult, SourceValue, StockFormat, ValidationMode, Written } from '../stocks/format.js'
import { type RejectionReason, rejection } from '../stocks/reasons.js'
import { MAX_VALUE_BYTES, type Stock } from '../stocks/stock.js'
import { parseIsoEventTime } from './iso-event-time.js'
import { type JacksonText, jacksonText } from './jackson-bytes.js'
import { jacksonDouble, jacksonString } from './jackson-writer.js'
import { type FieldRead, type ReadProblem, type RowField, readRow } from './json-row-reader.js'
import { convertFlinkRow, type FlinkRow } from './source-row.js'
import { flinkTimestampText, formatSqlTimestamp, throughTimestampData } from './sql-timestamp.js'

function reject(reason: RejectionReason, detail: string): ReadResult {
  return { ok: false, ...rejection(reason, detail) }
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

/** `flink`: Flink's reading, record by record, written as Flink wrote it; what failed the job is refused. */
function readAsFlink(source: JacksonText): ReadResult {
  const read = readRow(source)
  const written: Written[] = []
  // Rows met before a syntax error had already been converted, and may have failed first.
  for (const fields of read.rows) {
    const conversion = convertFlinkRow(fields)
    if (!conversion.ok) return reject(FIELD_REASONS[conversion.field], conversion.detail)
    written.push({ key: encodeKey(conversion.row.ticker), value: encodeSinkValue(conversion.row) })
  }
  if (!read.ok) return reject(PROBLEM_REASONS[read.problem], read.detail)
  if (written.length === 0)
    return reject('NOT_AN_OBJECT', 'the value is an empty array: Flink wrote no row for it')
  return { ok: true, written }
}

const TRAILING_WHITESPACE = /^[ \t\n\r]*$/

function missing(field: FieldRead | undefined): boolean {
  return field === undefined || field.kind === 'null'
}

/**
 * The last event time read, and its text as Flink writes it: a stock is written right after it is read,
 * so writing it needs no second parse.
 */
let lastEventTime = { read: '', written: '' }

/** An event time as Flink writes it: its SQL timestamp, or the ISO form (strict's extension) in that form. */
function flinkEventTime(text: string): string | undefined {
  if (text === lastEventTime.read) return lastEventTime.written
  const written = flinkTimestampText(text, 'strict') ?? isoExtensionText(text)
  if (written !== undefined) lastEventTime = { read: text, written }
  return written
}

/**
 * `strict`: Flink's reading, then the checks that turn its nulls and coercions into refusals; the rules
 * (lib/stocks/stock.ts) come after.
 */
function readStrictly(source: JacksonText): ReadResult {
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
  if (flinkEventTime(eventTime.text) === undefined) {
    return reject(
      'INVALID_EVENT_TIME',
      'event_time is not yyyy-MM-dd HH:mm:ss[.fraction] (or its ISO form), a real date and time',
    )
  }
  return {
    ok: true,
    stocks: [{ event_time: eventTime.text, ticker: ticker.text, price: Number(price.text) }],
  }
}

/** The strict mode's ISO extension, written as Flink writes its timestamps. */
function isoExtensionText(text: string): string | undefined {
  const time = parseIsoEventTime(text)
  return time === undefined ? undefined : formatSqlTimestamp(throughTimestampData(time))
}

function readText(source: JacksonText, mode: ValidationMode): ReadResult {
  return mode === 'flink' ? readAsFlink(source) : readStrictly(source)
}

/** Reads a source value (its raw bytes) as the Flink job did, or says why it cannot be written. */
function readBytes(value: Uint8Array | null, mode: ValidationMode): ReadResult {
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
  return readText(source, mode)
}

/** The same for a value whose bytes are plain ASCII, already as text: what readBytes gives for its bytes. */
function readAscii(text: string, mode: ValidationMode): ReadResult {
  // A NUL among the first two bytes makes Jackson read the bytes as UTF-16 or UTF-32.
  if (text.charCodeAt(0) === 0 || text.charCodeAt(1) === 0)
    return readBytes(Buffer.from(text, 'latin1'), mode)
  if (text.length === 0) return reject('EMPTY_VALUE', 'the value is empty')
  if (mode === 'strict' && text.length > MAX_VALUE_BYTES) {
    return reject('VALUE_TOO_LARGE', `the value is ${text.length} bytes; the limit is ${MAX_VALUE_BYTES}`)
  }
  return readText({ text, wellFormedUtf8: true, encoding: 'utf8' }, mode)
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

/** The sink's message key, `{"ticker":"AAPL"}`: the Flink sink's `key.format = json`. */
function encodeKey(ticker: string | null): string {
  return cached(keys, ticker, () => `{"ticker":${tickerText(ticker)}}`)
}

/** The sink value, byte for byte as the Flink job's JSON format wrote the `sink_table` row. */
function encodeSinkValue(row: FlinkRow): string {
  const eventTime = row.eventTime === null ? 'null' : `"${row.eventTime}"`
  return `{"event_time":${eventTime},"ticker":${tickerText(row.ticker)},"price":${priceText(row.price)}}`
}

/**
 * `flink` (the default): the Flink job's format, byte for byte. It reads `stocks-in` as Flink's JSON format
 * did (Jackson's reader, SQL timestamps), and writes the `sink_table` row as Flink's JSON format wrote it
 * (Jackson's writer, Java's doubles, SQL timestamps). Its `flink` validation writes what the job wrote,
 * nulls and coercions included, without the rules. test/golden/flink holds what the real job wrote.
 */
export const flinkFormat: StockFormat = {
  validations: ['strict', 'flink'],

  read(value: SourceValue, validation: ValidationMode): ReadResult {
    return typeof value === 'string' ? readAscii(value, validation) : readBytes(value, validation)
  },

  write(stock: Stock): Written {
    return {
      key: encodeKey(stock.ticker),
      value: encodeSinkValue({
        eventTime: flinkEventTime(stock.event_time) ?? stock.event_time,
        ticker: stock.ticker,
        price: stock.price,
      }),
    }
  },
}
