import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from '../../lib/kafka/record-size.js'
import type { TransformOptions } from '../../lib/processor/transform.js'
import { DEFAULT_SINK_FORMAT, SINK_FORMATS } from '../../lib/sink-formats.js'
import type { StockFormat } from '../../lib/stocks/format.js'
import type { Stock } from '../../lib/stocks/stock.js'

/**
 * The pipeline's default sink format. Tests that are not about a format write through it and compare
 * with what it writes for the stocks they expect, so that only a format's own tests pin its bytes.
 */
export const format = SINK_FORMATS[DEFAULT_SINK_FORMAT] as StockFormat

/** What the sink gets for these stocks: key and value as text. */
export function sinkRecordsOf(stocks: readonly Stock[]): [string, string][] {
  return stocks.map((stock) => {
    const { key, value } = format.write(stock)
    return [key, value]
  })
}

/** The per-record step's options as the pipeline runs by default: its format, strict, Kafka's record limit. */
export function transformOptions(overrides: Partial<TransformOptions> = {}): TransformOptions {
  return {
    format,
    validation: 'strict',
    maxMessageBytes: KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
    deadLetteredAt: 0,
    ...overrides,
  }
}
