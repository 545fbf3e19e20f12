import type { KafkaMessage } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { sinkRow } from '../../scripts/local/table.js'

const message = (value: string): KafkaMessage =>
  ({
    key: Buffer.from('{"ticker":"AAPL"}'),
    value: Buffer.from(value),
    headers: {},
  }) as unknown as KafkaMessage

describe('the live table', () => {
  it('shows times and prices as they are on the topic', () => {
    const row = sinkRow(1, message('{"event_time":"2023-08-08 04:21:56.48481","ticker":"AAPL","price":44.0}'))
    expect(row).toContain('| 2023-08-08 04:21:56.48481 ')
    expect(row).toMatch(/\| +44\.0$/)
    expect(sinkRow(0, message('{"event_time":null,"ticker":"A","price":1.0E-4}'))).toMatch(
      /\| null +\| A +\| +1\.0E-4$/,
    )
  })
})
