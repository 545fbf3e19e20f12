import { jacksonTreeText } from './jackson-writer.js'
import { javaParseDouble } from './java-parse-double.js'
import type { FieldRead, JsonValue, RowField } from './json-row-reader.js'
import { flinkTimestampText } from './sql-timestamp.js'

/**
 * A row of the job's tables, `event_time TIMESTAMP(3), ticker VARCHAR(6), price DOUBLE`, as Flink held
 * it, each column null when the JSON had null or nothing; the event time already in the text the sink
 * writes for it. Flink checks neither the VARCHAR length nor a price's sign.
 */
export interface FlinkRow {
  readonly eventTime: string | null
  readonly ticker: string | null
  readonly price: number | null
}

export type RowConversion =
  | { readonly ok: true; readonly row: FlinkRow }
  /** A field Flink could not convert: the job failed on this record. */
  | { readonly ok: false; readonly field: RowField; readonly detail: string }

/** What Jackson's `getText()` gives for a token: a container shows only its opening character. */
function tokenText(value: JsonValue): string {
  switch (value.kind) {
    case 'string':
    case 'number':
      return value.text
    case 'object':
      return '{'
    case 'array':
      return '['
    default:
      return value.kind
  }
}

function describe(value: JsonValue): string {
  return value.kind === 'string' ? 'a string' : value.kind === 'number' ? 'a number' : `JSON ${value.kind}`
}

/** convertToDouble: a JSON float as Jackson reads it, anything else through Double.parseDouble. */
function priceOf(value: JsonValue): number | undefined {
  if (value.kind === 'number' && value.float) return Number(value.text)
  return javaParseDouble(tokenText(value))
}

/** convertToString: a container's JSON, any other token's text. */
function tickerOf(value: JsonValue): string {
  return value.kind === 'object' || value.kind === 'array' ? jacksonTreeText(value) : tokenText(value)
}

/**
 * Converts the row fields in the order Flink met them (convertToTimestamp, convertToString,
 * convertToDouble); the first that cannot be converted is the one that failed the job. A later field of
 * the same name replaces an earlier one.
 */
export function convertFlinkRow(fields: readonly FieldRead[]): RowConversion {
  let eventTime: string | null = null
  let ticker: string | null = null
  let price: number | null = null
  for (const value of fields) {
    const { field } = value
    if (value.kind === 'null') {
      if (field === 'event_time') eventTime = null
      else if (field === 'ticker') ticker = null
      else price = null
    } else if (field === 'ticker') {
      ticker = tickerOf(value)
    } else if (field === 'price') {
      const converted = priceOf(value)
      if (converted === undefined) {
        return { ok: false, field, detail: `price is ${describe(value)} that is not a number` }
      }
      price = converted
    } else {
      const converted = flinkTimestampText(tokenText(value))
      if (converted === undefined) {
        const what = value.kind === 'string' ? 'a string' : describe(value)
        return {
          ok: false,
          field,
          detail: `event_time is ${what} that is not a SQL timestamp (yyyy-MM-dd HH:mm:ss[.fraction], a real date and time)`,
        }
      }
      eventTime = converted
    }
  }
  return { ok: true, row: { eventTime, ticker, price } }
}
