import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from '../lib/kafka/record-size.js'
import type { MskEvent, MskRecord } from '../lib/msk/event.js'
import type { TransformOptions } from '../lib/processor/transform.js'
import { DEFAULT_SINK_FORMAT, SINK_FORMATS } from '../lib/sink-formats.js'
import type { StockFormat } from '../lib/stocks/format.js'
import { generateStockBatch } from '../lib/stocks/generate.js'
import { stockJson, tickerKey } from '../lib/stocks/stock.js'

/** The pipeline's default sink format, which the benchmarks measure. */
export const format = SINK_FORMATS[DEFAULT_SINK_FORMAT] as StockFormat

/** The per-record step's options, as the processor runs it by default. */
export const transformOptions: TransformOptions = {
  format,
  validation: 'strict',
  maxMessageBytes: KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  deadLetteredAt: 0,
}

/** An MSK event of `count` producer-shaped records over 2 partitions, as Lambda would send it. */
export function makeMskEvent(count: number): MskEvent {
  const records: Record<string, MskRecord[]> = { 'stocks-in-0': [], 'stocks-in-1': [] }
  let offset = 0
  while (offset < count) {
    for (const stock of generateStockBatch()) {
      if (offset >= count) break
      const partition = offset % 2
      records[`stocks-in-${partition}`]?.push({
        topic: 'stocks-in',
        partition,
        offset,
        timestamp: Date.now(),
        timestampType: 'CREATE_TIME',
        key: Buffer.from(tickerKey(stock.ticker)).toString('base64'),
        value: Buffer.from(stockJson(stock)).toString('base64'),
        headers: [],
      })
      offset++
    }
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/bench/x',
    records,
  }
}

export const countOf = (event: MskEvent) => Object.values(event.records).reduce((n, r) => n + r.length, 0)
