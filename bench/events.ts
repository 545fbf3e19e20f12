import type { MskEvent, MskRecord } from '../lib/msk/event.js'
import { encodeKey, encodeStock } from '../lib/stocks/codec.js'
import { generateStockBatch } from '../lib/stocks/generate.js'

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
        key: Buffer.from(encodeKey(stock.ticker)).toString('base64'),
        value: Buffer.from(encodeStock(stock)).toString('base64'),
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
